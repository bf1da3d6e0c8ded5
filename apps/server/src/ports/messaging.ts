import { createHmac } from "node:crypto";

/** A text message to a person, by SMS or email. */
export interface OutgoingMessage {
  channel: "sms" | "email";
  recipient: string;
  subject?: string;
  body: string;
  accountId?: string;
}

/** The port notifications go through; production passes a gateway, the demo the local outbox. */
export interface MessageSender {
  send(message: OutgoingMessage): Promise<void>;
}

/**
 * Local adapter for the demo: every message is already in `message_outbox` (written in the change's
 * transaction), which administrators read in the console; delivering it here means only that — it is
 * marked sent and goes nowhere else.
 */
export function localOutboxSender(): MessageSender {
  return { send: async () => {} };
}

export class MessageGatewayError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`message gateway answered ${status}: ${detail}`);
    this.name = "MessageGatewayError";
  }
}

/**
 * HTTP adapter for a government SMS/email gateway: POSTs the message as JSON to `url`, signed with
 * HMAC-SHA256 over `timestamp.body` in `x-tongban-signature`, so the gateway can reject forgeries
 * and replays. Non-2xx answers throw, so the caller can retry.
 */
export function httpGatewaySender(options: {
  url: string;
  secret: string;
  clock: { now(): Date };
  fetch?: typeof fetch;
  timeoutMs?: number;
}): MessageSender {
  const doFetch = options.fetch ?? fetch;
  return {
    async send(message) {
      const body = JSON.stringify({
        channel: message.channel,
        to: message.recipient,
        subject: message.subject,
        text: message.body,
      });
      const timestamp = String(Math.floor(options.clock.now().getTime() / 1000));
      const signature = createHmac("sha256", options.secret).update(`${timestamp}.${body}`).digest("hex");
      const response = await doFetch(options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-tongban-timestamp": timestamp,
          "x-tongban-signature": signature,
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (!response.ok) throw new MessageGatewayError(response.status, (await response.text()).slice(0, 200));
    },
  };
}
