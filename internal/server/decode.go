package server

import "context"

// decodePhotos runs f, which decodes uploaded photos, once no other upload
// on this instance is being decoded: a photo of 50 megapixels takes up to
// a few hundred megabytes while it is decoded, and uploads arriving
// together (from visitors or staff) must not add those up. It reports
// false, without running f, when ctx ends first.
func (s *Server) decodePhotos(ctx context.Context, f func()) bool {
	select {
	case s.decoding <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	defer func() { <-s.decoding }()
	f()
	return true
}
