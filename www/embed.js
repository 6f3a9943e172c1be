/*
 * embed.js — a newsroom's liveblog inside its own article page, in three
 * lines of HTML:
 *
 *   <div data-liveblog="summit"></div>
 *   <script src="https://LIVE/embed.js" async></script>
 *
 * (data-limit="5": a teaser of the newest five and a link to the full
 * page.) This small classic script loads embed-app.js from its own server
 * (a module: it needs that server to allow the page's origin, see
 * --embed-origin), which renders every such div in a shadow root, live.
 * It makes no request to any other host.
 */
(function () {
	var script = document.currentScript;
	if (!script || !script.src || window.__liveblogEmbed)
		return;
	window.__liveblogEmbed = true;
	import(new URL('embed-app.js', script.src).href).then(function (app) {
		app.start();
	}).catch(function (err) {
		console.error('liveblog: embed not loaded:', err);
	});
})();
