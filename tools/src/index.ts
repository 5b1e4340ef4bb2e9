// @demo/tools, what the tests import: the runner's modules, the Tempo stand-in's, and the
// measurement tools' that the tests drive (not the commands' entry points).
export * from './runner/chain';
export * from './runner/cli';
export * from './runner/collector';
export * from './runner/envoy';
export * from './runner/modes';
export * from './runner/nginx';
export * from './runner/observe';
export * from './runner/order-report';
export * from './runner/paths';
export * from './runner/ports';
export * from './runner/process';
export * from './runner/prometheus';
export * from './runner/tempo-config';
export * from './runner/traces';
export * from './tempo-stand-in/otlp-sink';
export * from './tempo-stand-in/records';
export * from './tempo-stand-in/tempo-api';
export * from './measure/arrivals';
export * from './measure/outage';
export * from './measure/stats';
export * from './measure/steady-load';
export * from './measure/table';
