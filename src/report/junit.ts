/**
 * JUnit XML for `faultline regress`, the format CI systems read: one testsuite per spec file,
 * one testcase per case; a mismatch is a <failure>, a case that could not run an <error>.
 */

/** One case of a regression run, as reports see it. */
export interface RegressRow {
  /** The spec file the case comes from (the test suite). */
  readonly suite: string;
  /** The case's name within its spec. */
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'error';
  readonly expected: string;
  readonly got: string;
  /** What differs, or why the case could not run. */
  readonly message: string;
  readonly ms: number;
  /** The case's report page, relative to the summary. */
  readonly href: string;
}

function xml(s: string): string {
  // Escape markup, and drop characters XML 1.0 does not allow.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitXml(title: string, rows: readonly RegressRow[], totalMs: number): string {
  const suites = new Map<string, RegressRow[]>();
  for (const r of rows) suites.set(r.suite, [...(suites.get(r.suite) ?? []), r]);
  const count = (rs: readonly RegressRow[], s: RegressRow['status']) => rs.filter((r) => r.status === s).length;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="${xml(title)}" tests="${rows.length}" failures="${count(rows, 'failed')}" errors="${count(rows, 'error')}" time="${seconds(totalMs)}">`);
  for (const [suite, rs] of suites) {
    const time = rs.reduce((a, r) => a + r.ms, 0);
    out.push(`  <testsuite name="${xml(suite)}" tests="${rs.length}" failures="${count(rs, 'failed')}" errors="${count(rs, 'error')}" skipped="0" time="${seconds(time)}">`);
    for (const r of rs) {
      const open = `    <testcase classname="${xml(suite)}" name="${xml(r.name)}" time="${seconds(r.ms)}"`;
      if (r.status === 'passed') out.push(`${open}/>`);
      else {
        const tag = r.status === 'failed' ? 'failure' : 'error';
        out.push(`${open}>`);
        out.push(`      <${tag} message="${xml(r.message)}" type="${r.status === 'failed' ? 'mismatch' : 'error'}">expected: ${xml(r.expected)}\ngot: ${xml(r.got)}\n${xml(r.message)}</${tag}>`);
        out.push('    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
