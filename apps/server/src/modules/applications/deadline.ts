import type { Deadline } from "@tongban/contracts";
import { addWorkingDays, workingDaysBetween } from "../../reference/calendar.ts";
import type { DerivedState } from "./workflow.ts";
import { finishedStatuses } from "./workflow.ts";

/** Share of the committed limit at which a case is flagged (预警). */
export const WARNING_SHARE = 0.8;

/**
 * The committed time limit of a case: it counts working days from the day after acceptance, stops
 * while a supplement or suspension runs (those working days push the due date back), flags the case
 * at 80 % and marks it overdue after the due date.
 */
export function deadlineOf(state: DerivedState, limitDays: number, today: string): Deadline {
  if (!state.acceptedOn) {
    return {
      limitDays,
      acceptedOn: null,
      dueOn: null,
      elapsedDays: 0,
      pausedDays: 0,
      state: finishedStatuses.includes(state.status) ? "finished" : "none",
    };
  }
  const runningPause = state.pausedSince ? workingDaysBetween(state.pausedSince, today) : 0;
  const pausedDays = state.pausedDays + runningPause;
  const dueOn = addWorkingDays(state.acceptedOn, limitDays + pausedDays);
  const elapsedDays = Math.max(0, workingDaysBetween(state.acceptedOn, today) - pausedDays);
  let status: Deadline["state"];
  if (finishedStatuses.includes(state.status)) status = "finished";
  else if (state.pausedSince) status = "paused";
  else if (today > dueOn) status = "overdue";
  else if (elapsedDays >= Math.ceil(limitDays * WARNING_SHARE)) status = "warning";
  else status = "on_time";
  return { limitDays, acceptedOn: state.acceptedOn, dueOn, elapsedDays, pausedDays, state: status };
}
