package consent

import (
	"slices"

	"conpro/internal/csp"
)

// Script is one script element a page carries: an external file (Src) or an
// inline script (Inline, allowed by its hash).
type Script struct {
	Src    string
	Inline string
}

// Injection is what a page loads for one consent state, and the CSP that
// allows exactly that.
type Injection struct {
	Scripts []Script
	CSP     csp.Policy
	// CSPHeader is CSP as a header value, rendered once.
	CSPHeader string
	// Social is true when the social media widgets may load; otherwise the
	// share buttons are plain links.
	Social bool
}

// Inject returns the scripts and CSP for a choice. A nil choice (no current
// consent) loads nothing from third parties. Each set of granted vendors is
// worked out once; the result is shared, and callers do not change it.
func (r *Registry) Inject(c *Choice) Injection {
	if c == nil {
		return Injection{}
	}
	var granted uint64
	for i := range r.active {
		if c.grants(&r.active[i]) {
			granted |= 1 << i
		}
	}
	if granted == 0 {
		return Injection{}
	}
	if inj, ok := r.injections.Load(granted); ok {
		return inj.(Injection)
	}
	inj := r.inject(c.GrantedVendors(r))
	inj.CSPHeader = inj.CSP.String()
	r.injections.Store(granted, inj)
	return inj
}

// inject writes the shared loaders first, each once, then each vendor's own
// snippet, in registry order.
func (r *Registry) inject(granted []Vendor) Injection {
	var inj Injection
	var loaders []*Loader
	for _, v := range granted {
		inj.CSP.ScriptHosts = append(inj.CSP.ScriptHosts, v.ScriptHosts...)
		inj.CSP.ConnectHosts = append(inj.CSP.ConnectHosts, v.ConnectHosts...)
		inj.CSP.ImgHosts = append(inj.CSP.ImgHosts, v.ImgHosts...)
		inj.CSP.FrameHosts = append(inj.CSP.FrameHosts, v.FrameHosts...)
		if v.Loader != nil && !slices.Contains(loaders, v.Loader) {
			loaders = append(loaders, v.Loader)
		}
	}
	for _, l := range loaders {
		signals := make([]Signal, len(l.Signals))
		for i, name := range l.Signals {
			signals[i].Name = name
		}
		var ids []string
		for _, v := range granted {
			if v.Loader != l {
				continue
			}
			ids = append(ids, r.ids[v.Key])
			for i := range signals {
				signals[i].Granted = signals[i].Granted || slices.Contains(v.LoaderGrants, signals[i].Name)
			}
		}
		for _, s := range l.Scripts(signals, ids) {
			inj.add(s)
		}
	}
	for _, v := range granted {
		id := r.ids[v.Key]
		for _, s := range v.Snippet {
			inj.add(Script{Src: fill(s.Src, id), Inline: fill(s.Inline, id)})
		}
		inj.Social = inj.Social || v.Widgets
	}
	return inj
}

func (inj *Injection) add(s Script) {
	inj.Scripts = append(inj.Scripts, s)
	if s.Inline != "" {
		inj.CSP.ScriptHashes = append(inj.CSP.ScriptHashes, csp.Hash(s.Inline))
	}
}
