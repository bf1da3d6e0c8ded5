import { useQuery } from "@tanstack/react-query";
import type { Region } from "@tongban/contracts";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { regionsQuery } from "./api/public.ts";
import { useSession } from "./api/session.ts";

const STORAGE_KEY = "tongban.region";

interface RegionState {
  regions: Region[];
  /** The region the portal shows; undefined while the list loads or if the node serves none. */
  region: Region | undefined;
  setRegion: (code: string) => void;
  pending: boolean;
  error: unknown;
}

const RegionContext = createContext<RegionState | null>(null);

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function RegionProvider({ children }: { children: ReactNode }) {
  const query = useQuery(regionsQuery);
  const { user } = useSession();
  const [chosen, setChosen] = useState<string | null>(readStored);
  const regions = query.data ?? [];

  // A visitor's own choice wins; otherwise a staff member sees their region; otherwise the first one.
  const region =
    regions.find((r) => r.code === chosen) ?? regions.find((r) => r.code === user?.regionCode) ?? regions[0];

  const setRegion = useCallback((code: string) => {
    setChosen(code);
    try {
      localStorage.setItem(STORAGE_KEY, code);
    } catch {
      // The choice then lasts for this visit only.
    }
  }, []);

  const value = useMemo<RegionState>(
    () => ({ regions, region, setRegion, pending: query.isPending, error: query.error }),
    [regions, region, setRegion, query.isPending, query.error],
  );
  return <RegionContext.Provider value={value}>{children}</RegionContext.Provider>;
}

export function useRegion(): RegionState {
  const state = useContext(RegionContext);
  if (!state) throw new Error("useRegion needs a RegionProvider");
  return state;
}
