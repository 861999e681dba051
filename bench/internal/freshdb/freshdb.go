// Package freshdb gives the benches and the audit a database of their own
// on the cluster of DATABASE_URL, empty each run.
package freshdb

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
)

// Create drops and creates database name on the cluster of adminURL and
// returns adminURL pointing at it instead.
func Create(ctx context.Context, adminURL, name string) (string, error) {
	dbURL, err := URL(adminURL, name)
	if err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to DATABASE_URL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, sql := range []string{
		"DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)",
		"CREATE DATABASE " + pgx.Identifier{name}.Sanitize(),
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return "", fmt.Errorf("%s: %w", sql, err)
		}
	}
	return dbURL, nil
}

// URL returns adminURL pointing at database name of the same cluster.
func URL(adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", errors.New("DATABASE_URL must be a postgres:// URL")
	}
	u.Path, u.RawPath = "/"+name, ""
	return u.String(), nil
}
