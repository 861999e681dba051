package server

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsHandler answers GET /metrics with reg's metrics for Prometheus,
// and 404 to anything else. It is for a listener of its own
// (CONPRO_METRICS_ADDR), never the site's: the metrics count staff logins
// and exports, and show versions and the host's network counters.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// metrics are the server's request metrics, labelled by route pattern (never
// by raw path, which would grow without bound).
type metrics struct {
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	observers sync.Map // metricKey → observer
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "conpro_http_requests_total",
			Help: "HTTP requests served, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "conpro_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.observerFor(method, route, status).observe(d)
}

// observerFor returns the metrics of one (method, route, status).
func (m *metrics) observerFor(method, route string, status int) observer {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
	default:
		method = "other"
	}
	k := metricKey{method, route, status}
	o, ok := m.observers.Load(k)
	if !ok {
		// Looking the labels up once per (method, route, status): routes are
		// patterns, so the keys are few.
		o, _ = m.observers.LoadOrStore(k, observer{
			count:    m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(method, route),
		})
	}
	return o.(observer)
}

func (o observer) observe(d time.Duration) {
	o.count.Inc()
	o.duration.Observe(d.Seconds())
}

type metricKey struct {
	method, route string
	status        int
}

type observer struct {
	count    prometheus.Counter
	duration prometheus.Observer
}
