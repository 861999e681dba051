package server

import (
	"context"
	"testing"
	"time"
)

// Uploaded photos are decoded one at a time: a second upload waits for the
// first, and one whose visitor leaves while waiting is not decoded at all.
func TestDecodePhotos_OneUploadAtATime(t *testing.T) {
	s := &Server{decoding: make(chan struct{}, 1)}
	release, inFirst := make(chan struct{}), make(chan struct{})
	done := make(chan bool)
	go func() {
		done <- s.decodePhotos(context.Background(), func() { close(inFirst); <-release })
	}()
	<-inFirst
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	ran := false
	if s.decodePhotos(ctx, func() { ran = true }) || ran {
		t.Fatal("a second upload was decoded while the first was")
	}
	close(release)
	if !<-done {
		t.Fatal("the first upload was not decoded")
	}
	if !s.decodePhotos(context.Background(), func() { ran = true }) || !ran {
		t.Fatal("once the first is done, the next upload is decoded")
	}
}
