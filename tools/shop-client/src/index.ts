// A client of the shop's API for tools that drive a running stack as customers would: the load
// benchmark (tools/bench/load) and the chaos drill (tools/drills/chaos.ts).
export * from './api.ts';
export * from './checks.ts';
export * from './orders.ts';
export * from './shop.ts';
export * from './stats.ts';
