package server

import (
	"context"
	"log/slog"
	"time"

	"conpro/internal/brussels"
	"conpro/internal/follow"
	"conpro/internal/policy"
	"conpro/internal/staff"
)

// PolicyStore keeps the versions of the policy: the published ones, and
// the staff's drafts.
type PolicyStore interface {
	PublishedPolicies(ctx context.Context) ([]policy.Text, error)
	PolicyTexts(ctx context.Context) ([]policy.Text, error)
	PolicyText(ctx context.Context, id int64) (policy.Text, error)
	CreatePolicyDraft(ctx context.Context, t policy.Text, audit staff.AuditEntry) (int64, error)
	UpdatePolicyDraft(ctx context.Context, id int64, t policy.Text, audit staff.AuditEntry) error
	DeletePolicyDraft(ctx context.Context, id int64, audit staff.AuditEntry) error
	PublishPolicy(ctx context.Context, id int64, finish func(policy.Text) (policy.Text, error), audit staff.AuditEntry) (policy.Text, error)
}

// policyTTL is how long an instance trusts its list of published versions
// before it reads it again: a version published on another instance (or
// with the command line) is in force everywhere within this time. A
// version whose date comes needs no read: which version is in force is
// worked out from the list on every request, by the clock.
const policyTTL = 5 * time.Second

// policyVersions is this instance's list of the published versions, the
// one place that learns them from the database (follow.Value: read on
// first use, again in the background once older than policyTTL, at once
// after a publication here). Until the database answers, the list is the
// seed (version 2), which the site served before versions lived in the
// database.
type policyVersions struct {
	list *follow.Value[[]policy.Text]
	seed policy.Text
}

func newPolicyVersions(store PolicyStore, seed policy.Text, log *slog.Logger, now func() time.Time) *policyVersions {
	return &policyVersions{seed: seed, list: &follow.Value[[]policy.Text]{
		Name: "the policy versions",
		Read: func(ctx context.Context) ([]policy.Text, error) {
			list, err := store.PublishedPolicies(ctx)
			if err == nil && len(list) == 0 {
				list = []policy.Text{seed} // a database the server has not prepared yet
			}
			return list, err
		},
		Fallback: []policy.Text{seed},
		TTL:      policyTTL,
		Now:      now,
		Log:      log,
	}}
}

// policySnapshot is what one request knows of the policy: the published
// versions and the one in force.
type policySnapshot struct {
	versions []policy.Text
	current  policy.Text
}

// at returns the versions and the one in force at now.
func (p *policyVersions) at(ctx context.Context, now time.Time) *policySnapshot {
	if p == nil {
		return &policySnapshot{} // a server built without them, in a unit test
	}
	list := p.list.Get(ctx)
	cur, ok := policy.Current(list, brussels.Day(now))
	if !ok {
		cur = p.seed
	}
	return &policySnapshot{versions: list, current: cur}
}

// reload reads the list now (after a publication on this instance).
func (p *policyVersions) reload(ctx context.Context) { p.list.Reload(ctx) }

// byNumber returns the published version with number n.
func (s *policySnapshot) byNumber(n int) (policy.Text, bool) {
	for _, v := range s.versions {
		if v.Number == n {
			return v, true
		}
	}
	return policy.Text{}, false
}

// shown returns the versions visitors may read: those in force or before,
// newest first (a scheduled version is not shown before its day).
func (s *policySnapshot) shown() []policy.Text {
	var out []policy.Text
	for i := len(s.versions) - 1; i >= 0; i-- {
		if v := s.versions[i]; v.Number <= s.current.Number {
			out = append(out, v)
		}
	}
	return out
}
