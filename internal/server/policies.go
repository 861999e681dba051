package server

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"conpro/internal/brussels"
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

// policyVersions is this instance's list of the published versions. It is
// the one place that learns them from the database: read on first use,
// then again in the background once the list is older than policyTTL (no
// request waits for it), and at once after a publication here. Until the
// database answers, the list is the seed (version 2), which the site
// served before versions lived in the database.
type policyVersions struct {
	store PolicyStore
	seed  policy.Text
	log   *slog.Logger
	// now is the server's clock (a test moves it past policyTTL).
	now func() time.Time

	list       atomic.Pointer[[]policy.Text]
	readAt     atomic.Int64 // when list was read (UnixNano); 0: never
	first      sync.Mutex   // the first read, which requests wait for
	refreshing atomic.Bool
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
	list := p.published(ctx)
	cur, ok := policy.Current(list, brussels.Day(now))
	if !ok {
		cur = p.seed
	}
	return &policySnapshot{versions: list, current: cur}
}

func (p *policyVersions) published(ctx context.Context) []policy.Text {
	if l := p.list.Load(); l != nil {
		if p.now().Sub(time.Unix(0, p.readAt.Load())) > policyTTL && p.refreshing.CompareAndSwap(false, true) {
			go func() {
				defer p.refreshing.Store(false)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				p.read(ctx)
			}()
		}
		return *l
	}
	p.first.Lock()
	defer p.first.Unlock()
	if l := p.list.Load(); l != nil {
		return *l
	}
	// A database that does not answer keeps no request long: the seed is
	// served and the read tried again after policyTTL.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	p.read(ctx)
	return *p.list.Load()
}

// read reads the list; on failure it keeps what it had (or the seed).
func (p *policyVersions) read(ctx context.Context) {
	list, err := p.store.PublishedPolicies(ctx)
	if err == nil && len(list) == 0 {
		list = []policy.Text{p.seed} // a database the server has not prepared yet
	}
	if err != nil {
		p.log.Warn("could not read the policy versions; the ones known are served", "err", err)
		if p.list.Load() != nil {
			p.readAt.Store(p.now().UnixNano())
			return
		}
		list = []policy.Text{p.seed}
	}
	p.list.Store(&list)
	p.readAt.Store(p.now().UnixNano())
}

// reload reads the list now (after a publication on this instance).
func (p *policyVersions) reload(ctx context.Context) { p.read(ctx) }

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
