// Which column is which: header names as CRM, shop and survey exports write them, mapped to ours
// per kind of file. Aliases are per kind because the same word means different things: Shopify's
// `Name` is the order ("#1001"), a CRM's `Name` is the customer's.
import type { ImportKind } from '../db/bulk.ts';

export type FileKind = ImportKind | 'transactions';

export const FILE_KINDS: readonly FileKind[] = ['customers', 'orders', 'order-items', 'feedback', 'transactions'];

/** Our columns per kind, in the order a file of that kind lists them. */
export const COLUMNS = {
  customers: ['customer_id', 'name', 'email', 'company', 'owner', 'created_at'],
  orders: ['order_id', 'customer_id', 'ordered_at', 'amount'],
  'order-items': ['order_id', 'product', 'sku', 'quantity', 'unit_price'],
  feedback: ['feedback_id', 'customer_id', 'score', 'scale', 'comment', 'author', 'created_at', 'platform'],
  transactions: [
    'order_id',
    'customer_id',
    'ordered_at',
    'product',
    'sku',
    'quantity',
    'unit_price',
    'line_total',
    'name',
    'email',
    'company',
    'owner',
    'country',
  ],
} as const satisfies Record<FileKind, readonly string[]>;

export const REQUIRED: Record<FileKind, readonly string[]> = {
  customers: ['customer_id'],
  orders: ['order_id', 'customer_id', 'ordered_at', 'amount'],
  'order-items': ['order_id', 'product'],
  feedback: ['customer_id', 'score', 'created_at'],
  transactions: ['order_id', 'customer_id', 'ordered_at', 'product', 'unit_price'],
};

/** What a file of each kind should look like, for messages. */
export const EXAMPLE_HEADER: Record<FileKind, string> = {
  customers: 'customer_id,name,email,company,owner,created_at',
  orders: 'order_id,customer_id,ordered_at,amount',
  'order-items': 'order_id,product,quantity,unit_price',
  feedback: 'customer_id,score,scale,comment,author,created_at',
  transactions: 'order_id,customer_id,ordered_at,product,quantity,unit_price',
};

const ORDER_ID = [
  'orderid',
  'order',
  'order_no',
  'order_number',
  'order_num',
  'invoiceno',
  'invoice_no',
  'invoice',
  'invoice_number',
  'invoice_id',
  'transaction_id',
];
const CUSTOMER_ID = ['customerid', 'customer', 'customer_no', 'customer_number', 'client_id', 'clientid', 'account_id', 'accountid', 'contact_id'];
const ORDERED_AT = ['date', 'order_date', 'ordered_on', 'invoicedate', 'invoice_date', 'purchase_date', 'transaction_date', 'order_time'];
const PRODUCT = ['description', 'product_name', 'lineitem_name', 'item', 'item_name', 'title', 'product_title'];
const SKU = ['stockcode', 'stock_code', 'product_code', 'item_code', 'product_id', 'lineitem_sku', 'article', 'article_number'];
const QUANTITY = ['qty', 'lineitem_quantity', 'units', 'quantity_ordered'];
const UNIT_PRICE = ['unitprice', 'price', 'lineitem_price', 'item_price', 'unit_cost', 'price_each'];
const EMAIL = ['email_address', 'e_mail', 'mail', 'customer_email', 'contact_email'];

const ALIASES: Record<FileKind, Record<string, readonly string[]>> = {
  customers: {
    customer_id: ['id', ...CUSTOMER_ID],
    name: ['full_name', 'customer_name', 'contact_name', 'client_name', 'account_name'],
    email: EMAIL,
    company: ['organization', 'organisation', 'company_name', 'business'],
    owner: ['account_owner', 'sales_rep', 'salesperson', 'owner_name', 'assigned_to', 'account_manager'],
    created_at: ['created', 'signup_date', 'signed_up', 'customer_since', 'created_date', 'date_created', 'registered_at'],
  },
  orders: {
    order_id: ORDER_ID,
    customer_id: CUSTOMER_ID,
    ordered_at: [...ORDERED_AT, 'created_at'],
    amount: ['total', 'value', 'order_total', 'total_amount', 'revenue', 'sales'],
  },
  'order-items': { order_id: ORDER_ID, product: PRODUCT, sku: SKU, quantity: QUANTITY, unit_price: UNIT_PRICE },
  feedback: {
    feedback_id: ['id', 'response_id', 'responseid', 'submission_id'],
    customer_id: CUSTOMER_ID,
    score: ['rating', 'nps_score', 'csat_score'],
    scale: ['survey_type', 'type'],
    comment: ['response', 'feedback', 'comments', 'comment_text', 'verbatim'],
    author: ['agent', 'submitted_by', 'collected_by'],
    created_at: ['submitted_at', 'timestamp', 'submitted', 'date', 'response_date', 'submission_date', 'completed_at', 'end_date', 'created'],
  },
  transactions: {
    order_id: ORDER_ID,
    customer_id: CUSTOMER_ID,
    ordered_at: [...ORDERED_AT, 'created_at'],
    product: PRODUCT,
    sku: SKU,
    quantity: QUANTITY,
    unit_price: UNIT_PRICE,
    line_total: ['sales', 'lineitem_total', 'total', 'amount', 'line_amount'],
    name: ['customer_name', 'billing_name', 'full_name', 'contact_name'],
    email: EMAIL,
    company: ['billing_company', 'company_name', 'organization', 'organisation'],
    owner: ['account_owner', 'sales_rep'],
    country: ['billing_country', 'country_code', 'billing_country_code'],
  },
};

/** `Customer ID`, `customer-id`, `CustomerID ` → `customer_id`-style: lower case, words joined by `_`. */
export function normalizeName(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_|_$/g, '');
}

export interface HeaderMap {
  /** Per column of the file: our column, or undefined for an extra one (kept as an attribute). */
  columns: (string | undefined)[];
  /** Per column of the file: the attribute key of an extra column ('' when it has no name). */
  names: string[];
  /** Columns read under another name, for the summary: `InvoiceNo → order_id`. */
  renamed: { column: string; as: string }[];
  /** For transactions without a customer id column: the email is the customer. */
  customerIsEmail: boolean;
}

/** Maps a header row; a problem (a required column missing, or two exactly alike) is returned as text. */
export function mapHeader(kind: FileKind, header: readonly string[]): HeaderMap | { problem: string } {
  const m = mapColumns(kind, header);
  if ('problem' in m) return m;
  const have = new Set(m.columns.filter(Boolean));
  const missing = REQUIRED[kind].filter((c) => {
    if (have.has(c)) return false;
    if (kind === 'transactions' && c === 'customer_id' && m.customerIsEmail) return false;
    if (kind === 'transactions' && c === 'product' && have.has('sku')) return false;
    if (kind === 'transactions' && c === 'unit_price' && have.has('line_total')) return false;
    return true;
  });
  if (missing.length > 0) {
    const what = missing.map((c) => `"${c}"`).join(', ');
    return { problem: `the header has no ${what} column (found: ${header.join(', ')}); a ${kind} file needs ${EXAMPLE_HEADER[kind]}` };
  }
  return m;
}

/** Maps names to our columns (aliases, Shopify's Name and Email) without asking for any. */
export function mapColumns(kind: FileKind, header: readonly string[]): HeaderMap | { problem: string } {
  const names = header.map(normalizeName);
  const known: readonly string[] = COLUMNS[kind];
  const aliases = ALIASES[kind];
  const columns: (string | undefined)[] = names.map(() => undefined);
  const exact = new Map<string, number>();
  // Shopify: `Name` is the order ("#1001") when nothing else names it; its customer is the `Email`.
  const shopify = kind === 'transactions' && names.includes('name') && !names.some((n) => n === 'order_id' || ORDER_ID.includes(n));
  for (let i = 0; i < names.length; i++) {
    const n = shopify && names[i] === 'name' ? 'order_id' : names[i]!;
    if (!known.includes(n)) continue;
    if (exact.has(n)) return { problem: `two columns mean "${n}" (found: ${header.join(', ')}); keep one` };
    exact.set(n, i);
    columns[i] = n;
  }
  // An alias fills a column only when no column has our own name for it; the first alias wins.
  for (let i = 0; i < names.length; i++) {
    if (columns[i]) continue;
    const n = names[i]!;
    for (const [col, list] of Object.entries(aliases)) {
      if (list.includes(n) && !columns.includes(col)) {
        columns[i] = col;
        break;
      }
    }
  }
  let customerIsEmail = false;
  if (kind === 'transactions') {
    customerIsEmail = !columns.includes('customer_id') && columns.includes('email');
    // A line total stands in for the unit price only when there is none.
    if (columns.includes('unit_price')) {
      const t = columns.indexOf('line_total');
      if (t >= 0) columns[t] = undefined;
    }
  }
  if (kind === 'order-items' || kind === 'transactions') {
    // A code alone names the product; beside a name it is the product's sku.
    const skuAt = columns.indexOf('sku');
    if (!columns.includes('product') && skuAt >= 0 && kind === 'order-items') columns[skuAt] = 'product';
  }
  const renamed: { column: string; as: string }[] = [];
  columns.forEach((c, i) => {
    if (c && names[i] !== c) renamed.push({ column: header[i]!.trim(), as: c });
  });
  return { columns, names: names.map((n, i) => (columns[i] ? '' : n)), renamed, customerIsEmail };
}
