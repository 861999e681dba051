// Command media measures what processing one large photo costs: the peak
// resident memory (VmHWM) and the time media.Process takes for a
// 30-megapixel JPEG (6720 × 4480, the size of a full-frame camera's
// photo), with the grain of a real photo. The photo is made first and
// written to a file; a fresh process (this program again, with -file)
// reads it and processes it, so that the peak is that of the upload alone.
//
//	go run ./bench/media [-width 6720 -height 4480]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"time"

	"conpro/internal/media"
)

func main() {
	w := flag.Int("width", 6720, "photo width in pixels")
	h := flag.Int("height", 4480, "photo height in pixels")
	file := flag.String("file", "", "process this JPEG (the measuring run)")
	flag.Parse()
	if *file == "" {
		f, err := os.CreateTemp("", "conpro-photo-*.jpg")
		if err == nil {
			_, err = f.Write(photograph(*w, *h))
			f.Close()
		}
		if err == nil {
			defer os.Remove(f.Name())
			cmd := exec.Command(os.Args[0], "-file", f.Name())
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			err = cmd.Run()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "media:", err)
			os.Exit(1)
		}
		return
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "media:", err)
		os.Exit(1)
	}
	cfg, _ := jpeg.DecodeConfig(bytes.NewReader(data))
	*w, *h = cfg.Width, cfg.Height
	before := peakRSS()
	begin := time.Now()
	u, err := media.Process(data, "Een grote foto", 64<<20)
	took := time.Since(begin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "media:", err)
		os.Exit(1)
	}
	fmt.Printf("photo %d × %d (%.1f megapixels, %.1f MB JPEG): processed in %s into %d variants; peak RSS %d MB (%d MB before processing: the program and the file read)\n",
		*w, *h, float64(*w**h)/1e6, float64(len(data))/1e6, took.Round(time.Millisecond), len(u.Variants), peakRSS()>>20, before>>20)
}

// peakRSS is the process's peak resident memory (VmHWM) in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb << 10
		}
	}
	return 0
}

// photograph is a JPEG with the light and grain of a photo, made a row at
// a time so that making it does not raise the peak being measured.
func photograph(w, h int) []byte {
	rnd := rand.New(rand.NewPCG(1, 2))
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		for x := range w {
			img.Y[img.YOffset(x, y)] = uint8(60 + x*120/w + rnd.IntN(40))
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(110+rnd.IntN(20)), uint8(130+rnd.IntN(20))
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 88})
	return b.Bytes()
}
