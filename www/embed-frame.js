/*
 * embed-frame.js — the reader page made for an <iframe> (/blogs/{id}/embed)
 * tells its parent how tall it is, whenever that changes, so the parent can
 * size the frame:
 *
 *   parent.postMessage({type: "liveblog:height", blog: ID, height: PX}, parentOrigin)
 *
 * parentOrigin: location.ancestorOrigins[0] where the browser gives it,
 * else the referrer's origin; with neither, nothing is posted (the
 * message goes to the parent's origin only). The server lets only the
 * --embed-origin sites frame this page (frame-ancestors).
 */
const blog = decodeURIComponent(location.pathname.split('/')[2] || '');

function parentOrigin() {
	const ancestors = location.ancestorOrigins;
	if (ancestors && ancestors.length) return ancestors[0];
	try {
		return document.referrer ? new URL(document.referrer).origin : null;
	} catch {
		return null;
	}
}

const target = window.parent !== window ? parentOrigin() : null;
let last = -1;

function report() {
	const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
	if (!target || target === 'null' || height === last) return;
	last = height;
	window.parent.postMessage({ type: 'liveblog:height', blog, height }, target);
}

if (target) {
	const observer = new ResizeObserver(report);
	observer.observe(document.documentElement);
	if (document.body) observer.observe(document.body);
	report();
}
