// The demo's world: sales reps, names, products with planted co-purchase pairs, and feedback lines
// with planted pain points (English and Chinese).

export const OWNERS = [
  { name: 'Maya Chen', email: 'maya.chen@pulse.example' },
  { name: 'Tom Becker', email: 'tom.becker@pulse.example' },
  { name: 'Priya Nair', email: 'priya.nair@pulse.example' },
  { name: 'Lucas Silva', email: 'lucas.silva@pulse.example' },
  { name: 'Sofia Rossi', email: 'sofia.rossi@pulse.example' },
  { name: 'Wei Zhang', email: 'wei.zhang@pulse.example' },
  { name: 'Hannah Okafor', email: 'hannah.okafor@pulse.example' },
  { name: 'Jonas Lind', email: 'jonas.lind@pulse.example' },
] as const;

export const FIRST_NAMES = ['Ann', 'Ben', 'Chloe', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Isla', 'Jamal', 'Kira', 'Liam', 'Mei', 'Noah', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Will', 'Xin', 'Yara', 'Zoe', 'Arjun', 'Bea', 'Carlos', 'Dana', 'Emil', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena', 'Marco', 'Nia'];
export const LAST_NAMES = ['Anders', 'Brown', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jensen', 'Kim', 'Larsen', 'Meyer', 'Novak', "O'Brien", 'Patel', 'Quist', 'Reyes', 'Schmidt', 'Tanaka', 'Ueda', 'Varga', 'Wong', 'Xu', 'Young', 'Zimmer', 'Li', 'Wang', 'Müller', 'Santos'];
export const COMPANY_A = ['Acme', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iris', 'Juniper', 'Kestrel', 'Lumen', 'Maple', 'Nimbus', 'Orchid', 'Pioneer', 'Quartz', 'Riverside', 'Summit', 'Tidal', 'Umbra', 'Vertex', 'Willow', 'Zenith', 'Northwind', 'Brightside', 'Copper', 'Evergreen'];
export const COMPANY_B = ['Coffee', 'Labs', 'Studio', 'Foods', 'Outfitters', 'Design', 'Fitness', 'Logistics', 'Bakery', 'Works', 'Health', 'Books', 'Media', 'Supply', 'Systems', 'Garden'];
export const COMPANY_C = ['Inc.', 'Ltd', 'GmbH', 'Co.', 'LLC', '& Sons', 'Group', ''];

export interface Product {
  name: string;
  price: number;
  /** A product bought with this one more often than chance (the planted basket rules). */
  partner?: string;
  partnerChance?: number;
}

export const PRODUCTS: readonly Product[] = [
  { name: 'Espresso Machine', price: 349, partner: 'Coffee Beans 1kg', partnerChance: 0.7 },
  { name: 'Coffee Beans 1kg', price: 24 },
  { name: 'Milk Frother', price: 59, partner: 'Oat Milk 6-pack', partnerChance: 0.45 },
  { name: 'Oat Milk 6-pack', price: 15 },
  { name: 'Laptop Stand', price: 49, partner: 'Wireless Keyboard', partnerChance: 0.55 },
  { name: 'Wireless Keyboard', price: 79, partner: 'Wireless Mouse', partnerChance: 0.6 },
  { name: 'Wireless Mouse', price: 39 },
  { name: 'Yoga Mat', price: 35, partner: 'Yoga Blocks', partnerChance: 0.5 },
  { name: 'Yoga Blocks', price: 18 },
  { name: 'Running Shoes', price: 120, partner: 'Sports Socks 3-pack', partnerChance: 0.5 },
  { name: 'Sports Socks 3-pack', price: 14 },
  { name: 'Water Bottle', price: 22 },
  { name: 'Desk Lamp', price: 45 },
  { name: 'Notebook A5', price: 9 },
  { name: 'Fountain Pen', price: 65, partner: 'Ink Cartridges', partnerChance: 0.65 },
  { name: 'Ink Cartridges', price: 8 },
  { name: 'Tea Sampler', price: 29 },
  { name: 'Ceramic Mug', price: 16 },
  { name: 'Backpack', price: 89 },
  { name: 'Phone Case', price: 25, partner: 'Screen Protector', partnerChance: 0.5 },
  { name: 'Screen Protector', price: 12 },
  { name: 'Headphones', price: 149 },
  { name: 'Plant Pot', price: 19, partner: 'Potting Soil', partnerChance: 0.4 },
  { name: 'Potting Soil', price: 11 },
];

/** Feedback lines by mood. Low-score lines carry the planted pain points. */
export const COMMENTS = {
  low: [
    'Late delivery again, third time this quarter',
    'The delivery was late and nobody told us',
    'Package arrived damaged, damaged packaging every time',
    'Support never answered my emails',
    'Late delivery and the invoice was wrong',
    'Billing error on the invoice, still waiting for a refund',
    'Damaged packaging, the espresso machine had a dent',
    '物流太慢了，等了两个星期',
    '包装破损，客服也不回复',
    '物流太慢，发票也开错了',
  ],
  mid: [
    'Product is fine, delivery could be faster',
    'Okay overall, the app is a bit confusing',
    'Decent quality for the price',
    '还可以，价格有点贵',
    'Average experience, nothing special',
  ],
  high: [
    'Great quality and fast shipping',
    'Friendly support, solved my issue in minutes',
    'Love the coffee beans, great quality',
    'Fast shipping and great packaging',
    'Excellent service, will order again',
    '质量很好，发货很快',
    '客服态度很好，非常满意',
  ],
} as const;
