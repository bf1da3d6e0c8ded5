// The application's state machine, as data. The action log is the truth; `derive` replays it.
import type { ActionType, ApplicationStatus, StaffRole, SupplementItem, WorkflowStep } from "@tongban/contracts";
import { workingDaysBetween } from "../../reference/calendar.ts";

/** Which actions each status allows, whoever asks (the policy then checks who may). */
export const allowedActions = {
  draft: ["submit", "withdraw"],
  submitted: ["claim", "note", "accept", "refuse_acceptance", "request_supplement", "withdraw"],
  under_review: ["claim", "note", "complete_step", "approve", "reject", "request_supplement", "suspend", "withdraw"],
  awaiting_supplement: ["supplement", "note", "withdraw"],
  suspended: ["resume", "note"],
  approved: ["deliver", "note"],
  rejected: ["deliver", "note"],
  not_accepted: ["note"],
  withdrawn: [],
  delivered: ["note"],
} as const satisfies Record<ApplicationStatus, readonly ActionType[]>;

/** Actions the applicant takes; all others are staff actions. */
export const applicantActions: readonly ActionType[] = ["submit", "supplement", "withdraw"];

export const finishedStatuses: readonly ApplicationStatus[] = [
  "approved",
  "rejected",
  "not_accepted",
  "withdrawn",
  "delivered",
];

export interface LoggedAction {
  type: ActionType;
  /** China date (YYYY-MM-DD) of the action, for the working-day clock. */
  date: string;
  actorId: string;
  payload: Record<string, unknown>;
}

export interface DerivedState {
  status: ApplicationStatus;
  stepIndex: number;
  acceptedOn: string | null;
  pausedSince: string | null;
  pausedDays: number;
  firstContactId: string | null;
  claimedBy: string | null;
  openSupplement: SupplementItem[] | null;
}

export function initialState(): DerivedState {
  return {
    status: "draft",
    stepIndex: 0,
    acceptedOn: null,
    pausedSince: null,
    pausedDays: 0,
    firstContactId: null,
    claimedBy: null,
    openSupplement: null,
  };
}

/**
 * One step of the replay: the state after `action`. Assumes the action was allowed (the service
 * checks `allowedActions` before logging it), so an impossible log throws.
 */
export function apply(state: DerivedState, action: LoggedAction, steps: readonly WorkflowStep[]): DerivedState {
  const allowed: readonly ActionType[] = allowedActions[state.status];
  if (!allowed.includes(action.type)) throw new Error(`${action.type} is not allowed in ${state.status}`);
  const next = { ...state };
  const isStaff = !applicantActions.includes(action.type);
  if (isStaff && action.type !== "note" && next.firstContactId === null) next.firstContactId = action.actorId;
  if (action.type === "claim" && next.firstContactId === null) next.firstContactId = action.actorId;
  const resumeClock = () => {
    if (next.pausedSince) next.pausedDays += workingDaysBetween(next.pausedSince, action.date);
    next.pausedSince = null;
  };
  switch (action.type) {
    case "submit":
      next.status = "submitted";
      break;
    case "claim":
      next.claimedBy = action.actorId;
      break;
    case "note":
      break;
    case "accept":
      next.status = "under_review";
      next.stepIndex = Math.min(1, steps.length - 1);
      next.acceptedOn = action.date;
      next.claimedBy = null;
      break;
    case "refuse_acceptance":
      next.status = "not_accepted";
      break;
    case "request_supplement":
      next.status = "awaiting_supplement";
      next.openSupplement = (action.payload.items as SupplementItem[]) ?? [];
      // The clock only runs after acceptance; before it there is nothing to stop.
      if (next.acceptedOn) next.pausedSince = action.date;
      break;
    case "supplement":
      next.status = next.acceptedOn ? "under_review" : "submitted";
      next.openSupplement = null;
      resumeClock();
      break;
    case "complete_step":
      next.stepIndex = Math.min(next.stepIndex + 1, steps.length - 1);
      next.claimedBy = null;
      break;
    case "approve":
      next.status = "approved";
      break;
    case "reject":
      next.status = "rejected";
      break;
    case "deliver":
      next.status = "delivered";
      break;
    case "withdraw":
      next.status = "withdrawn";
      resumeClock();
      break;
    case "suspend":
      next.status = "suspended";
      next.pausedSince = action.date;
      break;
    case "resume":
      next.status = "under_review";
      resumeClock();
      break;
  }
  return next;
}

export function derive(actions: readonly LoggedAction[], steps: readonly WorkflowStep[]): DerivedState {
  return actions.reduce((state, action) => apply(state, action, steps), initialState());
}

/**
 * The role that must act next: the acceptance step's role before acceptance, the current step's
 * role during review, and nobody's once the applicant holds the case or it is finished.
 */
export function holderRole(state: DerivedState, steps: readonly WorkflowStep[]): StaffRole | null {
  switch (state.status) {
    case "submitted":
      return steps[0]?.role ?? null;
    case "under_review":
    case "suspended":
      return steps[state.stepIndex]?.role ?? null;
    case "approved":
    case "rejected":
      return steps[0]?.role ?? null;
    default:
      return null;
  }
}

/** The role a staff action needs in this state (claim and note: any role that holds the case). */
export function roleForAction(type: ActionType, state: DerivedState, steps: readonly WorkflowStep[]): StaffRole | null {
  if (applicantActions.includes(type)) return null;
  if (type === "approve" || type === "reject" || type === "complete_step") return steps[state.stepIndex]?.role ?? null;
  if (type === "deliver") return holderRole(state, steps);
  return holderRole(state, steps);
}

/** Whether the action fits where the case stands in its template, beyond the status table. */
export function fitsStep(type: ActionType, state: DerivedState, steps: readonly WorkflowStep[]): boolean {
  const last = steps.length - 1;
  if (type === "approve" || type === "reject") return state.stepIndex === last;
  if (type === "complete_step") return state.stepIndex < last;
  return true;
}
