// The sandbox payment gateway as its own process (`npm start` runs one per node, see sandbox-launch.ts).
// Settings come as JSON in TONGBAN_PAYMENT_SANDBOX; it prints "payment sandbox ready on <url>".
import { createSandboxGateway, type SandboxOptions } from "./sandbox.ts";

const options = JSON.parse(process.env.TONGBAN_PAYMENT_SANDBOX ?? "{}") as SandboxOptions;
const sandbox = createSandboxGateway({ ...options, log: (message) => process.stderr.write(`${message}\n`) });
const url = await sandbox.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1");
process.stdout.write(`payment sandbox ready on ${url}\n`);

const stop = () => void sandbox.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
// Started with an IPC channel: stop with the node that started it, however it went.
if (process.send) process.once("disconnect", stop);
