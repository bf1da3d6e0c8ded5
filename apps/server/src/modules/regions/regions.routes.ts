import { ErrorBody, Region } from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RegionsService } from "./regions.service.ts";

export const regionsRoutes: FastifyPluginAsyncZod<{ regions: RegionsService }> = async (app, { regions }) => {
  app.get(
    "/regions",
    {
      schema: {
        tags: ["regions"],
        summary: "The regions this node serves (public)",
        response: { 200: z.array(Region), 500: ErrorBody },
      },
    },
    async () => regions.list(),
  );
};
