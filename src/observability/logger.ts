import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The root logger: JSON lines (one object per event, with the endpoint,
 * variant, container or request it concerns), pretty-printed when a person
 * is watching a terminal.
 */
export function createLogger(level: string, pretty: boolean, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'sagemaker-emulator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' } } }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
