package pgtest

import (
	"context"
	"testing"

	"conpro/internal/pgcluster"
)

// Cluster is a PostgreSQL server of the test's own, which the test may stop
// and start: for what must survive the database going away.
type Cluster struct {
	t testing.TB
	c *pgcluster.Cluster
}

// NewCluster creates and starts a private cluster with one migrated
// database, conpro. It is stopped and removed when the test ends.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	c, err := pgcluster.New(context.Background())
	if err != nil {
		t.Fatalf("private PostgreSQL cluster: %v", err)
	}
	t.Cleanup(c.Remove)
	return &Cluster{t: t, c: c}
}

// URL is the connection string of the cluster's conpro database.
func (c *Cluster) URL() string { return c.c.URL() }

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if err := c.c.Start(context.Background()); err != nil {
		c.t.Fatal(err)
	}
}

// Stop shuts the server down, cutting open connections.
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.c.Stop(context.Background()); err != nil {
		c.t.Fatal(err)
	}
}
