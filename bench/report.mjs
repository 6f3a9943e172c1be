// report.mjs — turns loadtool's JSON lines into the comparison's Markdown
// table, or into a gnuplot script for the latency picture.
//
//   node bench/report.mjs RESULTS.jsonl [MACHINE.txt]   Markdown on stdout
//   node bench/report.mjs --gnuplot RESULTS.jsonl OUT.png | gnuplot
import { readFileSync } from 'node:fs';

function load(path) {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

const ms = (v) => (v === null || v === undefined ? '–'
  : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const num = (v, d = 0) => (v === null || v === undefined ? '–' : Number(v).toFixed(d));

// Bytes on the wire per delivery, and their share of the text (older runs: –).
function wire(r) {
  if (r.wire_bytes_per_delivery == null) return '–';
  const share = r.text_bytes_per_delivery ? ` (${num(r.wire_bytes_per_delivery / r.text_bytes_per_delivery, 2)}×)` : '';
  return `${num(r.wire_bytes_per_delivery)}${share}`;
}

function row(r) {
  if (r.error) return `| ${r.server} | ${r.scenario} | ${r.readers} asked | ${r.error}: no measurement |` + ' |'.repeat(18);
  const conn = `${r.connected}/${r.readers}` +
    (r.refused ? ` (${r.refused} refused${r.first_refusal_status > 0 ? ` ${r.first_refusal_status}` : ''})` : '') +
    (r.connect_failed ? ` (${r.connect_failed} failed)` : '');
  const lost = r.lost_readers ? `${r.lost_readers}${r.closed_1008 ? ` (${r.closed_1008}×1008)` : ''}` : '0';
  const cpu = r.cpu_s === null ? '–'
    : num(r.cpu_s, 2) + (r.redis_cpu_s !== null ? ` + ${num(r.redis_cpu_s, 2)}` : '');
  const perDelivery = r.cpu_s !== null && r.deliveries ? (r.cpu_s * 1e6) / r.deliveries : null;
  const storm = r.storm_readers
    ? (r.storm_catchup_s !== null ? `${num(r.storm_catchup_s, 2)} s`
      : `${r.storm_caught_up}/${r.storm_readers} only`)
    : '';
  const stormCmds = r.storm_readers && r.storm_redis_cmds != null ? `, ${r.storm_redis_cmds} Redis cmds` : '';
  return `| ${r.server} | ${r.scenario} | ${conn} | ${r.posts_ok}/${r.posts} | ` +
    `${ms(r.lat_p50_ms)} | ${ms(r.lat_p90_ms)} | ${ms(r.lat_p99_ms)} | ${ms(r.lat_p999_ms)} | ` +
    `${ms(r.lat_max_ms)} | ${num(r.deliveries_per_s)} | ${r.missing}${r.extra ? ` (+${r.extra} of unacked posts)` : ''} | ${r.duplicates} | ${lost} | ` +
    `${ms(r.connect_p50_ms)} / ${num(r.connect_all_s, 1)} | ${ms(r.post_p50_ms)} / ${ms(r.post_p99_ms)} | ` +
    `${num(r.rss_per_reader_kb, 1)} | ${cpu} | ${num(perDelivery, 1)} | ${r.tool_cpu_s != null ? num(r.tool_cpu_s, 2) : '–'} | ${wire(r)} | ${storm}${stormCmds} | ${num(r.loadavg, 1)} |`;
}

function markdown(rows, machine) {
  const out = [];
  if (machine) {
    out.push('```', readFileSync(machine, 'utf8').trim(), '```', '');
  }
  out.push('| server | scenario | readers connected | posts ok | p50 ms | p90 ms | p99 ms | ' +
    'p99.9 ms | max ms | deliveries/s | missing | dup | readers lost | connect p50 ms / all s | ' +
    'POST p50 / p99 ms | RSS KiB/reader | server CPU s (+redis) | CPU µs/delivery | load tool CPU s | wire B/delivery (× text) | storm catch-up | load |');
  out.push('|' + ' --- |'.repeat(22));
  for (const r of rows) out.push(row(r));
  return out.join('\n') + '\n';
}

// Four panels (p50, p90, p99, p99.9), one line per server, fan-out runs only.
function gnuplot(rows, png) {
  const fan = rows.filter((r) => !r.error && r.scenario.startsWith('fanout-') && r.lat_p50_ms !== null);
  const servers = [...new Set(fan.map((r) => r.server))];
  const cols = [['lat_p50_ms', 'p50'], ['lat_p90_ms', 'p90'], ['lat_p99_ms', 'p99'], ['lat_p999_ms', 'p99.9']];
  const g = [
    `set terminal pngcairo size 1400,1000 font "DejaVu Sans,11"`,
    `set output '${png}'`,
    'set multiplot layout 2,2 title "Delivery latency (POST sent → frame received) against readers on one blog, 1 KB posts at 10/s"',
    'set logscale y', 'set grid', 'set key top left', 'set xlabel "readers"', 'set ylabel "ms"',
    'set xtics (1000, 5000, 10000, 20000)', 'set xrange [0:21000]',
  ];
  for (const s of servers) {
    g.push(`$${s.replace(/[^a-z0-9]/gi, '_')} << EOD`);
    for (const r of fan.filter((x) => x.server === s).sort((a, b) => a.readers - b.readers)) {
      g.push([r.connected, ...cols.map(([k]) => r[k] ?? 'NaN')].join(' '));
    }
    g.push('EOD');
  }
  cols.forEach(([, label], i) => {
    g.push(`set title "${label}"`);
    g.push('plot ' + servers.map((s) => `$${s.replace(/[^a-z0-9]/gi, '_')} using 1:${i + 2} ` +
      `with linespoints lw 2 pt 7 title "${s}"`).join(', '));
  });
  g.push('unset multiplot');
  return g.join('\n') + '\n';
}

const args = process.argv.slice(2);
if (args[0] === '--gnuplot') {
  process.stdout.write(gnuplot(load(args[1]), args[2]));
} else if (args.length >= 1) {
  process.stdout.write(markdown(load(args[0]), args[1]));
} else {
  process.stderr.write('usage: report.mjs RESULTS.jsonl [MACHINE] | --gnuplot RESULTS.jsonl OUT.png\n');
  process.exit(2);
}
