#!/bin/sh
# demo-image.sh OUT.jpg — draws the demo's picture with netpbm (no file from
# anywhere): a city skyline at dusk, 1200x675, a sky gradient, a setting
# sun, lit windows and the word "illustration", written as a ~26 KB JPEG.
# The same bytes every run (so the same SHA-256 id on upload).
# Alt text to post it with: "Silhouette d'une ville au crépuscule, soleil
# couchant (illustration générée)".
set -eu
if [ $# -ne 1 ]; then
	echo "usage: sh tools/demo-image.sh OUT.jpg" >&2
	exit 2
fi
out=$1
for tool in pamgradient pamtopnm ppmdraw pnmtojpeg; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "demo-image: $tool is missing (apt-get install netpbm)" >&2
		exit 1
	fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/liveblog-demo-image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Sky: dark blue at the top to orange at the horizon.
pamgradient -quiet rgb:1c/3a/78 rgb:1c/3a/78 rgb:f2/a8/5e rgb:f2/a8/5e 1200 675 |
	pamtopnm -quiet > "$tmp/sky.ppm"
cat > "$tmp/scene" <<'SCENE'
setcolor rgb:ff/e0/80;
filledcircle 860 430 90;
setcolor rgb:2a/2a/3a;
filledrectangle 0 470 1200 205;
filledrectangle 60 300 120 170;
filledrectangle 200 360 90 110;
filledrectangle 310 250 70 220;
filledrectangle 400 330 140 140;
filledrectangle 560 280 80 190;
filledrectangle 660 380 120 90;
filledrectangle 990 320 110 150;
filledrectangle 1110 400 90 70;
setcolor rgb:ff/d0/60;
filledrectangle 80 320 20 14;
filledrectangle 130 360 20 14;
filledrectangle 325 280 16 12;
filledrectangle 420 350 24 14;
filledrectangle 580 300 16 12;
filledrectangle 1010 340 20 14;
setcolor white;
text 60 600 44 0 "illustration";
text 61 600 44 0 "illustration";
text 60 601 44 0 "illustration";
SCENE
ppmdraw -quiet -scriptfile="$tmp/scene" "$tmp/sky.ppm" |
	pnmtojpeg -quiet -quality=85 -optimize > "$tmp/out.jpg"
mv "$tmp/out.jpg" "$out"
