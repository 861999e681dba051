package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"conpro/internal/staff"
	"conpro/internal/store/postgres"
)

const adminUsage = "usage: conpro admin add-user EMAIL | reset-password EMAIL | disable-user EMAIL | enable-user EMAIL"

// admin manages staff accounts with the rules of the staff area's
// accounts page; each change is in the audit log, done by
// staff.ServerConsole.
func admin(ctx context.Context, args []string, db *postgres.DB, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) != 2 {
		return errors.New(adminUsage)
	}
	cmd, address := args[0], args[1]
	switch cmd {
	case "add-user", "reset-password", "disable-user", "enable-user":
	default:
		return errors.New(adminUsage)
	}
	email, err := staff.NormalizeEmail(address)
	if err != nil {
		return fmt.Errorf("%q: %w", address, err)
	}
	if cmd == "add-user" {
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if _, err := staff.AddAccount(ctx, db, staff.ServerConsole, email, password); errors.Is(err, staff.ErrExists) {
			return fmt.Errorf("a staff account for %s exists already; use reset-password", email)
		} else if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "staff account %s created\n", email)
		return err
	}
	target, err := db.StaffUserByEmail(ctx, email)
	if errors.Is(err, staff.ErrNoAccount) {
		return fmt.Errorf("no staff account for %s", email)
	} else if err != nil {
		return err
	}
	var done string
	switch cmd {
	case "reset-password":
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		err = staff.ResetPassword(ctx, db, staff.ServerConsole, target, password)
		if err != nil {
			return err
		}
		done = "password of %s changed; its open sessions are ended\n"
	case "disable-user":
		if err := staff.DisableAccount(ctx, db, staff.ServerConsole, target, time.Now()); err != nil {
			return err
		}
		done = "staff account %s disabled; it cannot log in and its open sessions are ended\n"
	case "enable-user":
		if err := staff.EnableAccount(ctx, db, staff.ServerConsole, target); err != nil {
			return err
		}
		done = "staff account %s enabled; it logs in with its password\n"
	}
	_, err = fmt.Fprintf(stdout, done, email)
	return err
}

// readPassword asks twice without echo on a terminal; from a pipe (a
// script) it reads one line.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "Password (at least %d characters): ", staff.MinPassword)
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", staff.ErrPasswordsDiffer
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
