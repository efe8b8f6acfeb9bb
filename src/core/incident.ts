// Incident ids: the one place they are minted. An unexpected failure is logged under its id (as a
// child logger, so every line about it carries it) and the person is told the same id.
import { randomUUID } from 'node:crypto';
import { childLogger, type Logger } from './logger.ts';

/** Eight hex characters: short enough to read out, unique enough for one team's logs. */
export function newIncidentId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 8);
}

/** A new incident: its id and a logger whose lines all carry it. */
export function openIncident(log: Logger, bindings: Record<string, unknown> = {}): { incidentId: string; log: Logger } {
  const incidentId = newIncidentId();
  return { incidentId, log: childLogger(log, { incidentId, ...bindings }) };
}
