// The rollups of one refresh, accumulated while its insight rows are scored (one pass, customers in
// id order): group figures per scope, the first LIST_LIMIT customers of every ranked list and scope,
// and the customers now at-risk or churned by the run they moved in. Money is summed in whole cents,
// so a total does not depend on the order it was added in (the scan path sums the same way).
import { clvShares } from '../reports/scan-data.ts';
import { HIGH_RISK, LIST_LIMIT, type RankedList } from '../reports/report-data.ts';
import type { ReportEntrantsTable, ReportGroupsTable, ReportListsTable } from '../db/schema.ts';

/** What the rollups need of one customer's insight row. */
export interface RollupRow {
  customer_id: string;
  owner_key: string | null;
  segment: string | null;
  lifecycle_stage: string;
  cluster_name: string | null;
  revenue: number;
  clv_12m: number | null;
  value_at_risk: number | null;
  churn_risk: number | null;
  days_overdue: number | null;
  stage_since_run: number | null;
}

const cents = (v: number | null) => (v === null ? 0 : Math.round(v * 100));

interface GroupAcc {
  scope: string;
  key: string;
  label: string | null;
  customers: number;
  revenue: number;
  clv: number;
  valueAtRisk: number;
  scored: number;
  atRisk: number;
  atRiskValue: number;
  clvCustomers: number;
  /** CLVs in cents, for the top-20% share and the tiers (kept for 'all' and owners only). */
  clvs: number[] | null;
}

/**
 * The best LIST_LIMIT customers by (first, second), larger first, kept sorted; on equal keys the
 * earlier customer (smaller id: customers arrive in id order) stays ahead.
 */
class TopList {
  readonly ids: string[] = [];
  readonly first: number[] = [];
  readonly second: number[] = [];
  offer(id: string, first: number, second: number): void {
    const n = this.ids.length;
    if (n === LIST_LIMIT) {
      const f = this.first[n - 1]!;
      if (first < f || (first === f && second <= this.second[n - 1]!)) return;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const f = this.first[mid]!;
      if (first < f || (first === f && second <= this.second[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    this.ids.splice(lo, 0, id);
    this.first.splice(lo, 0, first);
    this.second.splice(lo, 0, second);
    if (this.ids.length > LIST_LIMIT) {
      this.ids.pop();
      this.first.pop();
      this.second.pop();
    }
  }
}

/** One scope's group figures and ranked lists. */
interface Scope {
  group: GroupAcc;
  lists: Partial<Record<RankedList, TopList>>;
}

const LISTS_OF: Record<string, readonly RankedList[]> = {
  all: ['clv', 'value-at-risk', 'at-risk:value', 'at-risk:risk', 'at-risk:overdue'],
  owner: ['clv', 'value-at-risk', 'at-risk:value', 'at-risk:risk', 'at-risk:overdue'],
  segment: ['clv', 'value-at-risk', 'at-risk:value', 'at-risk:risk', 'at-risk:overdue'],
  'owner-segment': ['value-at-risk', 'at-risk:value', 'at-risk:risk', 'at-risk:overdue'],
  stage: [],
  cluster: [],
};

export class RollupBuilder {
  readonly #scopes = new Map<string, Scope>();
  readonly #entrants = new Map<string, ReportEntrantsTable>();
  readonly #byKeys = new Map<string, Map<string, Map<string, Map<string, Scope[]>>>>();

  constructor(readonly runId: number) {}

  /** Adds one customer's row; `owner` is the owner as the customers file spells it. */
  add(r: RollupRow, owner: string | null): void {
    const ownerKey = r.owner_key ?? '';
    const segment = r.segment ?? '';
    const atRisk = r.churn_risk !== null && r.churn_risk >= HIGH_RISK;
    const clv = r.clv_12m === null ? null : cents(r.clv_12m);
    const valueAtRisk = r.value_at_risk === null ? null : cents(r.value_at_risk);
    const v = valueAtRisk ?? 0;
    const revenue = cents(r.revenue);
    const scopes = this.#scopesOf(ownerKey, segment, r.lifecycle_stage, r.cluster_name ?? '');
    for (const s of scopes) {
      const g = s.group;
      g.customers++;
      g.revenue += revenue;
      g.clv += clv ?? 0;
      g.valueAtRisk += v;
      if (r.churn_risk !== null) g.scored++;
      if (atRisk) {
        g.atRisk++;
        g.atRiskValue += v;
      }
      if (clv !== null) {
        g.clvCustomers++;
        g.clvs?.push(clv);
      }
      const l = s.lists;
      if (clv !== null) l.clv?.offer(r.customer_id, clv, 0);
      if (valueAtRisk !== null) l['value-at-risk']?.offer(r.customer_id, valueAtRisk, 0);
      if (atRisk) {
        l['at-risk:value']?.offer(r.customer_id, v, 0);
        l['at-risk:risk']?.offer(r.customer_id, r.churn_risk!, v);
        l['at-risk:overdue']?.offer(r.customer_id, r.days_overdue ?? -1, v);
      }
    }
    // An owner's label is the smallest of its spellings.
    const ownerGroup = scopes[1]!.group;
    if (owner !== null && (ownerGroup.label === null || owner < ownerGroup.label)) ownerGroup.label = owner;
    if ((r.lifecycle_stage === 'at-risk' || r.lifecycle_stage === 'churned') && r.stage_since_run !== null) {
      const k = `${r.stage_since_run}\u0000${ownerKey}\u001f${segment}`;
      let e = this.#entrants.get(k);
      if (!e) this.#entrants.set(k, (e = { run_id: this.runId, since_run: r.stage_since_run, owner_key: ownerKey, segment, owner: null, customers: 0, value_at_risk: 0 }));
      e.customers++;
      e.value_at_risk += v;
      if (owner !== null && (e.owner === null || owner < e.owner)) e.owner = owner;
    }
  }

  /**
   * The six scopes of a customer, looked up by its four keys (a few dozen distinct values each,
   * shared strings): building six scope names per customer and hashing them was 1.5 s of a 1M refresh.
   */
  #scopesOf(ownerKey: string, segment: string, stage: string, cluster: string): Scope[] {
    let bySegment = this.#byKeys.get(ownerKey);
    if (!bySegment) {
      bySegment = new Map();
      // An owner per customer (a mistaken column) would make this a second copy of every scope.
      if (this.#byKeys.size < 10_000) this.#byKeys.set(ownerKey, bySegment);
    }
    let byStage = bySegment.get(segment);
    if (!byStage) bySegment.set(segment, (byStage = new Map()));
    let byCluster = byStage.get(stage);
    if (!byCluster) byStage.set(stage, (byCluster = new Map()));
    let scopes = byCluster.get(cluster);
    if (!scopes) {
      scopes = [
        this.#scope('all', ''),
        this.#scope('owner', ownerKey),
        this.#scope('segment', segment),
        this.#scope('owner-segment', `${ownerKey}\u001f${segment}`),
        this.#scope('stage', stage),
        // Customers without a cluster (no purchase yet) are a group too: shares are of every customer.
        this.#scope('cluster', cluster),
      ];
      byCluster.set(cluster, scopes);
    }
    return scopes;
  }

  #scope(scope: string, key: string): Scope {
    const k = `${scope}\u0000${key}`;
    let s = this.#scopes.get(k);
    if (!s) {
      const keepClvs = scope === 'all' || scope === 'owner';
      const group: GroupAcc = { scope, key, label: scope === 'cluster' && key !== '' ? key : null, customers: 0, revenue: 0, clv: 0, valueAtRisk: 0, scored: 0, atRisk: 0, atRiskValue: 0, clvCustomers: 0, clvs: keepClvs ? [] : null };
      s = { group, lists: Object.fromEntries(LISTS_OF[scope]!.map((l) => [l, new TopList()])) };
      this.#scopes.set(k, s);
    }
    return s;
  }

  groups(): ReportGroupsTable[] {
    return [...this.#scopes.values()].map(({ group: g }) => {
      const shares = g.clvs ? clvShares(Float64Array.from(g.clvs).sort().reverse()) : undefined;
      return {
        run_id: this.runId,
        scope: g.scope,
        key: g.key,
        label: g.label,
        customers: g.customers,
        revenue: g.revenue / 100,
        clv: g.clv / 100,
        value_at_risk: g.valueAtRisk / 100,
        scored: g.scored,
        at_risk: g.atRisk,
        at_risk_value: g.atRiskValue / 100,
        clv_customers: g.clvCustomers,
        clv_top20: shares ? shares.clvTop20 / 100 : null,
        tiers: shares ? JSON.stringify(shares.tiers.map((t) => ({ ...t, value: t.value / 100 }))) : null,
      };
    });
  }

  lists(): ReportListsTable[] {
    const out: ReportListsTable[] = [];
    for (const { group, lists } of this.#scopes.values()) {
      for (const [list, top] of Object.entries(lists) as [RankedList, TopList][]) {
        top.ids.forEach((customer_id, rank) => out.push({ run_id: this.runId, list, scope: group.scope, key: group.key, rank, customer_id }));
      }
    }
    return out;
  }

  entrants(): ReportEntrantsTable[] {
    return [...this.#entrants.values()].map((e) => ({ ...e, value_at_risk: e.value_at_risk / 100 }));
  }
}
