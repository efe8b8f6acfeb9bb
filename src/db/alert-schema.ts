// The alert tables as kysely sees them (migration 0009-alerts.ts says what each column means).
export type AlertKind = 'slipping' | 'detractor' | 'silent';
export type AlertState = 'open' | 'claimed' | 'snoozed' | 'resolved';
export type AlertPurpose = 'raise' | 'reraise' | 'escalate' | 'recover' | 'claimed';
export type AlertDeliveryStatus = 'pending' | 'claimed' | 'retrying' | 'posted' | 'failed' | 'skipped';

export interface AlertsTable {
  alert_id: number;
  customer_id: string;
  kind: AlertKind;
  episode: number;
  owner: string | null;
  owner_key: string | null;
  raised_at: string;
  raised_by: string;
  run_id: number | null;
  as_of_day: number | null;
  last_purchase_day: number | null;
  churn_risk: number | null;
  previous_risk: number | null;
  value_at_risk: number | null;
  worth: number | null;
  feedback_id: string | null;
  details: string | null;
  state: AlertState;
  claimed_by: string | null;
  claimed_at: string | null;
  snoozed_until: string | null;
  snoozed_by: string | null;
  snoozes: number;
  escalated_at: string | null;
  notified_at: string | null;
  resolved_at: string | null;
  resolution: string | null;
  updated_at: string;
}

export interface AlertDeliveriesTable {
  delivery_key: string;
  alert_id: number;
  purpose: AlertPurpose;
  due_at: string;
  status: AlertDeliveryStatus;
  attempts: number;
  claimed_at: string | null;
  claimed_by: string | null;
  next_attempt_at: string | null;
  attempted_at: string | null;
  platform: string | null;
  channel: string | null;
  direct: number;
  thread_of: string | null;
  message_id: string | null;
  posted_at: string | null;
  error: string | null;
  updated_at: string;
}

export interface AlertOwnersTable {
  owner_key: string;
  owner: string;
  platform: string | null;
  user_id: string | null;
  time_zone: string | null;
  source: 'link' | 'email' | 'profile' | 'none';
  linked_by: string | null;
  checked_at: string;
}

export interface AlertSettingsTable {
  key: string;
  value: string;
  updated_by: string;
  updated_at: string;
}

export interface AlertControlsTable {
  alert_id: number;
  customer_id: string;
  run_id: number;
  as_of_day: number;
  last_purchase_day: number | null;
  churn_risk: number | null;
  value_at_risk: number | null;
}
