// Loaded with `node --import` into the server a browser test starts when the test needs another
// date (e.g. cases accepted weeks ago, to be overdue today). TONGBAN_E2E_CLOCK_OFFSET_MS moves every
// clock of the process by that much: `new Date()`, `Date.now()`, and with them the app's clock port,
// sessions and TOTP. Tests only; the server itself has no such setting.
const offset = Number(process.env.TONGBAN_E2E_CLOCK_OFFSET_MS ?? 0);
if (Number.isFinite(offset) && offset !== 0) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
