import { z } from "zod";

/** 咨询 (enquiry): a question a resident or enterprise puts to a department, answered in a thread. */
export const EnquiryStatus = z.enum(["open", "answered", "closed"]);
export type EnquiryStatus = z.infer<typeof EnquiryStatus>;

export const CreateEnquiry = z
  .object({
    /** The department asked; or name the service, and its competent department is asked. */
    departmentId: z.uuid({ error: "departmentId is a department's id" }).optional(),
    serviceCode: z.string().trim().min(1).max(40).optional(),
    subject: z.string().trim().min(4, { error: "at least 4 characters" }).max(80, { error: "at most 80 characters" }),
    body: z.string().trim().min(5, { error: "at least 5 characters" }).max(2000, { error: "at most 2,000 characters" }),
  })
  .superRefine((value, ctx) => {
    if (!value.departmentId && !value.serviceCode)
      ctx.addIssue({
        code: "custom",
        path: ["departmentId"],
        message: "name the department asked, or the service the question is about",
        params: { reason: "REQUIRED" },
      });
  });
export type CreateEnquiry = z.infer<typeof CreateEnquiry>;

export const EnquiryReply = z.object({
  body: z.string().trim().min(2, { error: "at least 2 characters" }).max(2000, { error: "at most 2,000 characters" }),
});
export type EnquiryReply = z.infer<typeof EnquiryReply>;

export const EnquiryQuery = z.object({
  status: EnquiryStatus.optional(),
  /** Staff: only the enquiries they are the first contact of. */
  mine: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type EnquiryQuery = z.infer<typeof EnquiryQuery>;

export const EnquiryListItem = z.object({
  id: z.string(),
  number: z.string(),
  regionCode: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  serviceCode: z.string().nullable(),
  serviceName: z.string().nullable(),
  askerName: z.string(),
  subject: z.string(),
  status: EnquiryStatus,
  /** 首问负责人: the official who first took the enquiry and answers it to the end. */
  firstContactName: z.string().nullable(),
  firstContactAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EnquiryListItem = z.infer<typeof EnquiryListItem>;

export const EnquiryMessage = z.object({
  id: z.string(),
  authorName: z.string(),
  authorRole: z.enum(["asker", "staff"]),
  body: z.string(),
  at: z.string(),
});
export type EnquiryMessage = z.infer<typeof EnquiryMessage>;

export const Enquiry = EnquiryListItem.extend({
  messages: z.array(EnquiryMessage),
  /** What the caller may do now: take it (staff), reply, close (the asker). */
  allowed: z.array(z.enum(["take", "reply", "close"])),
});
export type Enquiry = z.infer<typeof Enquiry>;
