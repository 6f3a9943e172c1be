/*
 * lib.mjs — browser helpers for the page tests (the daemon and Redis come
 * from ../integration/harness.mjs).
 *
 *   launchBrowser() -> Browser     the system chromium, never downloaded
 *   openPage(browser, base, path, {viewport, timezoneId, route}) -> view
 *     view.page, view.context, view.response (of the navigation),
 *     view.requests    every URL the page requested (HTTP and WebSocket)
 *     view.sockets     every WebSocket URL the page opened
 *     view.errors      uncaught page errors and console errors, as text
 *     view.foreign()   requested URLs whose origin is not the daemon's
 *     view.close()
 *   entryIds(page) -> [id, ...]    ids of the entries in #entries, in order
 *   waitEntry(page, id)            waits for #entry-{id} in the stream
 *   demoEntries() -> [{title?, text, key}, ...]   demo/article-fr.jsonl
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from '../integration/harness.mjs';

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export function launchBrowser() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update',
			'--disable-sync'],
	});
}

export async function openPage(browser, base, urlPath, {
	viewport = DESKTOP, timezoneId = 'Europe/Paris', locale = 'en-GB', beforeGoto,
	isMobile = false,
} = {}) {
	const context = await browser.newContext({
		viewport, timezoneId, locale, isMobile, hasTouch: isMobile,
		serviceWorkers: 'block',
	});
	const page = await context.newPage();
	const view = { page, context, requests: [], sockets: [], errors: [] };
	page.on('request', (r) => view.requests.push(r.url()));
	page.on('websocket', (ws) => {
		view.requests.push(ws.url());
		view.sockets.push(ws.url());
	});
	page.on('pageerror', (e) => view.errors.push(`pageerror: ${e.message}`));
	page.on('console', (msg) => {
		if (msg.type() === 'error')
			view.errors.push(`console: ${msg.text()}`);
	});
	const origin = new URL(base);
	view.foreign = () => view.requests.filter((u) => {
		const url = new URL(u);
		return url.host !== origin.host
			|| !['http:', 'ws:'].includes(url.protocol);
	});
	view.close = () => context.close();
	if (beforeGoto)
		await beforeGoto(page);
	view.response = await page.goto(base + urlPath);
	return view;
}

export function entryIds(page) {
	return page.$$eval('#entries article.entry', (arts) => arts.map((a) => a.dataset.entryId));
}

export function waitEntry(page, id, { timeout = 10000 } = {}) {
	return page.locator(`#entries #entry-${id}`).waitFor({ timeout });
}

export function demoEntries() {
	const file = path.join(REPO_ROOT, 'demo', 'article-fr.jsonl');
	return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim())
		.map((l) => JSON.parse(l));
}
