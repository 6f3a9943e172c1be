/*
 * i18n.js — the UI strings of a page in its blog's language. The server
 * puts the blog's catalog (www/i18n/<lang>.json, English filled in for
 * missing strings) into the page as <script type="application/json"
 * id="lb-i18n">; <html lang> is the blog's language (BCP 47).
 *
 * makeT(strings, lang) returns t(key, vars): the string for key with
 * {name} replaced by vars.name (numbers formatted for lang). With vars.n,
 * the plural form key_<category> of Intl.PluralRules(lang) is tried first
 * ("new_updates_one", "new_updates_other"), then key_other. A key the
 * catalog lacks gives the fallback, else the key itself.
 *
 * timeLocale(lang, readerLangs): the locale times are written in. Times are
 * the blog's language's ("fr": 24-hour 14:32) in the reader's time zone; a
 * blog tag without a region ("en") takes the region of a reader who reads
 * that language ("en-GB": 24-hour, "en-US": 12-hour), never another
 * language's.
 */
export function timeLocale(lang, readerLangs = globalThis.navigator?.languages ?? []) {
	const primary = (tag) => String(tag).split('-')[0].toLowerCase();
	if (String(lang).includes('-')) return lang;
	const mine = readerLangs.find((r) => primary(r) === primary(lang));
	return mine || lang;
}

/* readStrings(root): the catalog in root's #lb-i18n element, or {}. */
export function readStrings(root = document) {
	const el = root.querySelector('script#lb-i18n[type="application/json"]');
	try {
		const v = el ? JSON.parse(el.textContent) : {};
		return v && typeof v === 'object' ? v : {};
	} catch {
		return {};
	}
}

export function makeT(strings = {}, lang = 'en') {
	let plural;
	let number;
	try {
		plural = new Intl.PluralRules(lang);
		number = new Intl.NumberFormat(lang);
	} catch {
		plural = new Intl.PluralRules('en');
		number = new Intl.NumberFormat('en');
	}
	return (key, vars = {}, fallback) => {
		let s;
		if (typeof vars.n === 'number')
			s = strings[`${key}_${plural.select(vars.n)}`] ?? strings[`${key}_other`];
		s = s ?? strings[key] ?? fallback ?? key;
		return String(s).replace(/\{(\w+)\}/g, (m, name) => {
			if (!(name in vars)) return m;
			const v = vars[name];
			return typeof v === 'number' ? number.format(v) : String(v);
		});
	};
}
