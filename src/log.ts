/**
 * The logger interface the code depends on: pino's shape, so Node passes pino itself and the
 * Workers entry passes a small JSON console logger. Always log the Feishu event id as
 * `eventId`; never log secrets or message contents beyond what an operator needs.
 */
export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  child(bindings: object): Logger;
}

export function consoleLogger(bindings: object = {}, level: string = 'info'): Logger {
  const order = ['debug', 'info', 'warn', 'error'];
  const min = level === 'silent' ? 99 : Math.max(0, order.indexOf(level));
  const emit = (lvl: string) => (obj: object | string, msg?: string) => {
    if (order.indexOf(lvl) < min) return;
    const rec = typeof obj === 'string' ? { msg: obj } : { ...obj, msg };
    console.log(JSON.stringify({ level: lvl, time: Date.now(), ...bindings, ...rec }));
  };
  return {
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    debug: emit('debug'),
    child: (b) => consoleLogger({ ...bindings, ...b }, level),
  };
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => silentLogger,
};
