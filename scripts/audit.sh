#!/usr/bin/env bash
# make audit: accessibility (axe-core, the same test as in make test) and
# Lighthouse (mobile emulation, Debian's Chromium) on the main pages of a
# freshly built server. Writes bench/lighthouse.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

scripts/deps.sh
if [ ! -x tools/lighthouse/node_modules/.bin/lighthouse ]; then
	say "installing lighthouse (npm ci in tools/lighthouse)"
	(cd tools/lighthouse && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
DATABASE_URL="$(scripts/db.sh start)"
export DATABASE_URL

say "axe-core on the public pages"
go test -count=1 -run 'TestAxe' ./internal/server/

addr=127.0.0.1:18090
out=bench/out/lighthouse
mkdir -p "$out" bench
go build -o bench/out/conpro ./cmd/conpro
# A database of its own with what a live site holds: photos, a published
# project and page (bench/seed), so that /realisaties and a project's page
# are measured with their photos.
say "seeding conpro_audit with photos, a project and a page"
seeded="$(go run ./bench/seed -database conpro_audit)"
DATABASE_URL="$(sed -n 1p <<<"$seeded")"
content_pages="$(sed -n '2,$p' <<<"$seeded" | tr '\n' ' ')"
CONPRO_ADDR=$addr CONPRO_COOKIE_KEY="$(scripts/devkey.sh)" CONPRO_SPOOL_DIR=bench/out/spool \
	CONPRO_LOG_LEVEL=warn bench/out/conpro serve &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
	curl -sf "http://$addr/readyz" >/dev/null && break
	sleep 0.2
done

export CHROME_PATH=/usr/bin/chromium
flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
{
	echo "# Lighthouse"
	echo
	echo "Lighthouse $(tools/lighthouse/node_modules/.bin/lighthouse --version), mobile emulation, Debian Chromium $(chromium --version | awk '{print $2}'), against a server built from this checkout on $addr; $(date -u +%Y-%m-%d)."
	echo
	echo "| page | Performance | Accessibility | Best Practices | SEO |"
	echo "|---|---|---|---|---|"
} >bench/lighthouse.md
# Lighthouse's own advice: scores vary from run to run (this machine has two
# cores and shares its host), so each page is measured five times and the
# median run reported. The pages take turns, run after run, so that a slow
# moment of the machine does not fall on one page's runs only.
pages="/ /privacy /cookies /contact /realisaties $content_pages"
runs=5
pagename() { echo "$1" | tr -c 'a-z\n' '_'; }
for run in $(seq 1 $runs); do
	for page in $pages; do
		say "lighthouse $page (run $run of $runs)"
		tools/lighthouse/node_modules/.bin/lighthouse "http://$addr$page" --quiet \
			--only-categories=performance,accessibility,best-practices,seo \
			--chrome-flags="$flags" --output=json --output-path="$out/$(pagename "$page")-$run.json" >&2
	done
done
for page in $pages; do
	name=$(pagename "$page")
	node -e '
		const n = Number(process.argv[3]);
		const runs = Array.from({length: n}, (_, i) => require(`${process.argv[1]}-${i + 1}.json`));
		const perf = r => r.categories.performance.score;
		runs.sort((a, b) => perf(a) - perf(b));
		const r = runs[(n - 1) >> 1];
		const s = k => Math.round(r.categories[k].score * 100);
		const all = runs.map(x => Math.round(perf(x) * 100)).join(", ");
		console.log(`| ${process.argv[2]} | ${s("performance")} (runs, lowest first: ${all}) | ${s("accessibility")} | ${s("best-practices")} | ${s("seo")} |`);
	' "$PWD/$out/$name" "$page" "$runs" >>bench/lighthouse.md
done
echo >>bench/lighthouse.md
echo "Full reports: \`$out/*.json\` (not committed)." >>bench/lighthouse.md
cat bench/lighthouse.md
