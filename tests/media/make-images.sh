#!/bin/sh
# make-images.sh DIR — makes small real images of each format the server
# accepts (JPEG, PNG, WebP, GIF) with Debian's netpbm and webp tools
# (tools/install-deps.sh test installs them), and the demo's picture
# (tools/demo-image.sh), in DIR, and writes DIR/manifest: one line per
# image, "FILE TYPE WIDTH HEIGHT", the size a browser shows (after EXIF
# orientation). The sizes come from the commands
# below, never from reading the files back.
#
# Exits non-zero, naming the tool, if one is missing or fails.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: sh tests/media/make-images.sh DIR" >&2
	exit 2
fi
dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in pamgradient ppmmake ppmtopgm pnmquant pnmtojpeg pnmtopng pamtogif cwebp; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "make-images: $tool is missing (apt-get install netpbm webp)" >&2
		exit 1
	fi
done
mkdir -p "$dir"
cd "$dir"
: > manifest

# add FILE TYPE WIDTH HEIGHT: records an image made just before.
add() {
	[ -s "$1" ] || { echo "make-images: $1 was not made" >&2; exit 1; }
	echo "$1 $2 $3 $4" >> manifest
}

# A picture of each size to start from (PAM, RGB), and an alpha mask.
pamgradient -quiet red blue green yellow 640 360 > src-640x360.pam
pamgradient -quiet black white black white 3000 2 > src-3000x2.pam
ppmmake -quiet rgb:20/80/c0 1 1 > src-1x1.ppm
ppmtopgm -quiet src-640x360.pam > mask-640x360.pgm

# exif ORDER ORIENTATION > FILE: the APP1 block pnmtojpeg -exif= takes: its
# length (34, counting itself), "Exif\0\0", a TIFF header in byte order
# ORDER (II or MM) and IFD0 with one entry: Orientation, one SHORT.
exif() {
	v=$(printf '\\%03o' "$2")
	if [ "$1" = MM ]; then
		printf '\000\042Exif\000\000MM\000\052\000\000\000\010\000\001'
		printf '\001\022\000\003\000\000\000\001\000'"$v"'\000\000\000\000\000\000'
	else
		printf '\000\042Exif\000\000II\052\000\010\000\000\000\001\000'
		printf '\022\001\003\000\001\000\000\000'"$v"'\000\000\000\000\000\000\000'
	fi
}

pnmtojpeg -quiet src-640x360.pam > jpeg-640x360.jpg
add jpeg-640x360.jpg image/jpeg 640 360
pnmtojpeg -quiet src-1x1.ppm > jpeg-1x1.jpg
add jpeg-1x1.jpg image/jpeg 1 1
pnmtojpeg -quiet src-3000x2.pam > jpeg-3000x2.jpg
add jpeg-3000x2.jpg image/jpeg 3000 2
pnmtojpeg -quiet -progressive -optimize src-640x360.pam > jpeg-progressive.jpg
add jpeg-progressive.jpg image/jpeg 640 360
pnmtojpeg -quiet -arithmetic src-640x360.pam > jpeg-arithmetic.jpg
add jpeg-arithmetic.jpg image/jpeg 640 360
pnmtojpeg -quiet -grayscale -restart=1 -comment='liveblog test' src-640x360.pam > jpeg-gray.jpg
add jpeg-gray.jpg image/jpeg 640 360
exif MM 6 > exif-mm6.bin
pnmtojpeg -quiet -exif=exif-mm6.bin src-640x360.pam > jpeg-exif6.jpg
add jpeg-exif6.jpg image/jpeg 360 640
exif II 8 > exif-ii8.bin
pnmtojpeg -quiet -exif=exif-ii8.bin src-640x360.pam > jpeg-exif8.jpg
add jpeg-exif8.jpg image/jpeg 360 640
exif II 3 > exif-ii3.bin
pnmtojpeg -quiet -exif=exif-ii3.bin src-640x360.pam > jpeg-exif3.jpg
add jpeg-exif3.jpg image/jpeg 640 360

pnmtopng -quiet src-640x360.pam > png-640x360.png
add png-640x360.png image/png 640 360
pnmtopng -quiet src-1x1.ppm > png-1x1.png
add png-1x1.png image/png 1 1
pnmtopng -quiet src-3000x2.pam > png-3000x2.png
add png-3000x2.png image/png 3000 2
pnmtopng -quiet -interlace src-640x360.pam > png-interlaced.png
add png-interlaced.png image/png 640 360
pnmquant -quiet 16 src-640x360.pam | pnmtopng -quiet > png-palette.png
add png-palette.png image/png 640 360
pamgradient -quiet black white black white 200 100 -maxval 65535 |
	ppmtopgm -quiet | pnmtopng -quiet > png-gray16.png
add png-gray16.png image/png 200 100
pnmtopng -quiet -alpha=mask-640x360.pgm src-640x360.pam > png-alpha.png
add png-alpha.png image/png 640 360

pnmquant -quiet 256 src-640x360.pam | pamtogif -quiet > gif-640x360.gif
add gif-640x360.gif image/gif 640 360
pamtogif -quiet src-1x1.ppm > gif-1x1.gif
add gif-1x1.gif image/gif 1 1
pnmquant -quiet 256 src-3000x2.pam | pamtogif -quiet > gif-3000x2.gif
add gif-3000x2.gif image/gif 3000 2

cwebp -quiet png-640x360.png -o webp-lossy.webp
add webp-lossy.webp image/webp 640 360
cwebp -quiet -lossless png-640x360.png -o webp-lossless.webp
add webp-lossless.webp image/webp 640 360
cwebp -quiet -lossless png-1x1.png -o webp-1x1.webp
add webp-1x1.webp image/webp 1 1
cwebp -quiet png-3000x2.png -o webp-3000x2.webp
add webp-3000x2.webp image/webp 3000 2
cwebp -quiet png-alpha.png -o webp-alpha.webp
add webp-alpha.webp image/webp 640 360

# The demo's picture (tools/demo-image.sh), so make demo's upload is known good.
sh "$root/tools/demo-image.sh" demo.jpg
add demo.jpg image/jpeg 1200 675

rm -f src-* mask-* exif-*.bin
