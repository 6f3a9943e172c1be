#!/usr/bin/env node
/*
 * demo-host.mjs — the newsroom's article page of the demo: a static page,
 * served from a second loopback origin, laid out like a news article, with
 * the liveblog embedded above the article text by embed.js (three lines of
 * HTML), as the newsroom page of demo/article-fr.txt had it.
 *
 *   node tools/demo-host.mjs ADDRESS PORT LIVEBLOG_URL BLOG_ID
 *
 * serves http://ADDRESS:PORT/ until killed. The article's text is
 * demo/article-fr.txt without the dead liveblog box it began with; its
 * paragraphs are cut at sentence ends, "* " runs become lists.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [address, port, liveblog, blog] = process.argv.slice(2);
if (!address || !port || !liveblog || !blog) {
	console.error('usage: node tools/demo-host.mjs ADDRESS PORT LIVEBLOG_URL BLOG_ID');
	process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const text = fs.readFileSync(path.join(root, 'demo', 'article-fr.txt'), 'utf8')
	.replace(/^The liveblog has ended\. No liveblog updates yet\.\s*/, '').trim();

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/* The article's body: bullets as lists, the rest in paragraphs of three sentences. */
function body(t) {
	const out = [];
	for (const part of t.split(/(?=\* )|(?<=\.) (?=[A-ZÀ-Ý«])/)) {
		if (part.startsWith('* ')) {
			const last = out.at(-1);
			if (last?.type === 'ul') last.items.push(part.slice(2).trim());
			else out.push({ type: 'ul', items: [part.slice(2).trim()] });
			continue;
		}
		const last = out.at(-1);
		if (last?.type === 'p' && last.n < 3) {
			last.text += ` ${part.trim()}`;
			last.n++;
		} else {
			out.push({ type: 'p', text: part.trim(), n: 1 });
		}
	}
	return out.map((b) => (b.type === 'ul'
		? `<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`
		: `<p>${esc(b.text)}</p>`)).join('\n');
}

const page = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Immigration : Washington met la pression sur ses alliés — Le Quotidien</title>
<style>
  body { margin: 0; background: #fbfaf7; color: #1d1d1b; font: 19px/1.6 Georgia, "DejaVu Serif", serif; }
  .masthead { border-bottom: 3px double #1d1d1b; padding: .6rem 1rem; text-align: center;
    font: 700 1.8rem/1 Georgia, serif; letter-spacing: .04em; }
  .masthead small { display: block; font: 400 .75rem/1.6 system-ui, sans-serif; letter-spacing: .1em;
    text-transform: uppercase; color: #6b6b66; margin-top: .35rem; }
  article { max-width: 44rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
  .kicker { font: 700 .8rem system-ui, sans-serif; color: #b0142d; text-transform: uppercase; letter-spacing: .08em; }
  h1 { font-size: 2.1rem; line-height: 1.15; margin: .35rem 0 .6rem; }
  .standfirst { font-size: 1.15rem; color: #3b3b38; margin: 0 0 .75rem; }
  .byline { font: .85rem system-ui, sans-serif; color: #6b6b66; margin-bottom: 1.25rem; }
  .live { margin: 0 0 1.75rem; }
  ul { padding-left: 1.3rem; }
  @media (max-width: 600px) { body { font-size: 17px; } h1 { font-size: 1.6rem; } }
</style>
</head>
<body>
<header class="masthead">Le Quotidien<small>International · Politique</small></header>
<article>
  <p class="kicker">En direct</p>
  <h1>Immigration : Washington met la pression sur ses alliés</h1>
  <p class="standfirst">Selon le New York Times, l’administration américaine demande à ses ambassadeurs
  de peser sur les politiques migratoires de l’Europe, du Canada, de l’Australie et de la Nouvelle-Zélande.</p>
  <p class="byline">Par la rédaction</p>
  <div class="live">
    <div data-liveblog="${esc(blog)}"></div>
    <script src="${esc(liveblog)}/embed.js" async></script>
  </div>
${body(text)}
</article>
</body>
</html>
`;

http.createServer((req, res) => {
	const where = new URL(req.url, 'http://x').pathname;
	if (where === '/favicon.ico') {
		res.writeHead(204).end();
		return;
	}
	if (where !== '/') {
		res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
		return;
	}
	res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
	res.end(page);
}).listen(Number(port), address, () => {
	console.log(`article: http://${address}:${port}/`);
});
