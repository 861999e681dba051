package staff

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckPassword_WaitsForAFreeHashingSlot(t *testing.T) {
	hash, err := HashPassword("een-lang-wachtwoord")
	if err != nil {
		t.Fatal(err)
	}
	// Every slot taken, as by a burst of logins.
	for range cap(hashSlots) {
		hashSlots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if ok, err := CheckPassword(ctx, "een-lang-wachtwoord", hash); ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with every slot taken: %v, %v; want it to wait until the context ends", ok, err)
	}
	// A slot comes free: the waiting check goes ahead.
	result := make(chan bool)
	go func() {
		ok, _ := CheckPassword(context.Background(), "een-lang-wachtwoord", hash)
		result <- ok
	}()
	select {
	case <-result:
		t.Fatal("a check ran while every slot was taken")
	case <-time.After(50 * time.Millisecond):
	}
	<-hashSlots
	if !<-result {
		t.Fatal("the right password failed once a slot came free")
	}
	for range cap(hashSlots) - 1 {
		<-hashSlots
	}
}

func TestPreview_IsTheMessagesStartOnOneLineCutAtASpace(t *testing.T) {
	cases := []struct{ message, want string }{
		{"Graag een offerte voor een garagepoort.", "Graag een offerte voor een garagepoort."},
		{"\n\n  Goedendag,\n\nGraag een offerte.\tDank u.", "Goedendag, Graag een offerte. Dank u."},
		{"Eén regel die veel te lang is om in de lijst te passen, met nog meer woorden", "Eén regel die veel te lang is om in de lijst…"},
		{"Goedendag,\nGraag een offerte, voor een nieuw dak", "Goedendag, Graag een offerte, voor een nieuw…"},
		{strings.Repeat("x", 60), strings.Repeat("x", 45) + "…"},
		// The 45th character ends a word: it stays.
		{"Graag een offerte voor een nieuw dak, op onze woning", "Graag een offerte voor een nieuw dak, op onze…"},
		{"", ""},
	}
	for _, c := range cases {
		if got := (InboxMessage{Message: c.message}).Preview(45); got != c.want {
			t.Errorf("Preview(%q) = %q, want %q", c.message, got, c.want)
		}
	}
}

func TestParseInboxState_KnowsTheViewsAndTakesAnythingElseForAll(t *testing.T) {
	for in, want := range map[string]InboxState{"open": InboxOpen, "afgehandeld": InboxHandled, "": InboxAll, "OPEN": InboxAll, "x' OR 1=1": InboxAll} {
		if got := ParseInboxState(in); got != want {
			t.Errorf("ParseInboxState(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRetryable_OnlyAMailTriedAndNotSent(t *testing.T) {
	sent := time.Now()
	cases := []struct {
		m    OutboxMail
		want bool
	}{
		{OutboxMail{Attempts: 0}, false},
		{OutboxMail{Attempts: 2}, true},
		{OutboxMail{Attempts: 1, SentAt: &sent}, false},
	}
	for _, c := range cases {
		if got := c.m.Retryable(); got != c.want {
			t.Errorf("%+v: %v, want %v", c.m, got, c.want)
		}
	}
}
