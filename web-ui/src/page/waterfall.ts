// Every trace of an order drawn as a tree of spans (indented by parent), all on one time
// axis, with the span where the chosen fault hit highlighted.

import type { Verdict, VerdictSpan } from '@demo/trace-verdict';
import { grafanaTraceUrl } from './api';
import { byId, element, outLink } from './dom';
import { M } from './language';

/**
 * Whether a span is where the fault hit: the delay or error the faulted service injected, or
 * the slow statement it ran. (Its request span carries demo.fault too, shown on hover.)
 */
function isFaultHit(span: VerdictSpan, fault: string): boolean {
  if (!fault) return false;
  const [service, kind] = fault.split(':');
  if (span.service !== service) return false;
  const statement = span.attributes['db.query.text'];
  if (kind === 'slow-query') return typeof statement === 'string' && statement.startsWith('WITH RECURSIVE scan');
  return span.name === 'injected delay' || span.name === 'injected error';
}

/** The note's sentence about the fault: where it hit, or why it left no span. */
export function faultNote(fault: string, hits: VerdictSpan[]): string {
  if (!fault) return '';
  const [service = ''] = fault.split(':');
  if (hits.length === 0) return M.faultLeftNoSpan(fault, service);
  const widest = hits.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
  return M.faultHit(fault, widest.service, widest.name, (widest.end - widest.start).toFixed(0));
}

function spanRow(span: VerdictSpan, depth: number, total: number, hit: boolean): HTMLDivElement {
  const row = element('div', `span-row${hit ? ' fault-hit' : ''}`);
  const label = element('span', 'span-label', `${span.service}: ${span.name}`);
  label.style.paddingLeft = `${depth * 0.9}rem`;
  const track = element('span', 'span-track');
  const bar = element('span', `span-bar${span.error ? ' error' : ''}`);
  bar.style.marginLeft = `${(100 * span.start) / total}%`;
  bar.style.width = `${Math.max(0.3, (100 * (span.end - span.start)) / total)}%`;
  const spanFault = span.attributes['demo.fault'];
  bar.title = `${(span.end - span.start).toFixed(2)} ms${typeof spanFault === 'string' ? `, demo.fault=${spanFault}` : ''}`;
  track.append(bar);
  row.append(label, track);
  return row;
}

/** Draws the verdict's traces into #waterfall; returns the spans where the fault hit. */
export function drawTraces(verdict: Verdict, fault: string): VerdictSpan[] {
  const hits: VerdictSpan[] = [];
  const total = Math.max(1e-3, ...verdict.traces.map((trace) => trace.end));
  const sections = verdict.traces.map((trace, index) => {
    const section = element('section', 'trace-tree');
    section.dataset.traceId = trace.traceId;
    const heading = element('h3', '', M.traceHeading(index + 1, verdict.traces.length, trace.label));
    heading.append(' ', outLink(grafanaTraceUrl(trace.traceId), trace.traceId, 'trace-link'));
    section.append(heading);
    for (const { span, depth } of trace.rows) {
      const hit = isFaultHit(span, fault);
      if (hit) hits.push(span);
      section.append(spanRow(span, depth, total, hit));
    }
    return section;
  });
  byId('waterfall', HTMLDivElement).replaceChildren(...sections);
  return hits;
}
