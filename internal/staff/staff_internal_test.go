package staff

import (
	"context"
	"errors"
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
