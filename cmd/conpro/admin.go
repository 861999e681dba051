package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"conpro/internal/staff"
	"conpro/internal/store/postgres"
)

// admin manages staff accounts: add-user and reset-password.
func admin(ctx context.Context, args []string, db *postgres.DB, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) != 2 || (args[0] != "add-user" && args[0] != "reset-password") {
		return errors.New("usage: conpro admin add-user EMAIL | conpro admin reset-password EMAIL")
	}
	email, err := staff.NormalizeEmail(args[1])
	if err != nil {
		return fmt.Errorf("%q: %w", args[1], err)
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	switch args[0] {
	case "add-user":
		hash, err := staff.HashPassword(password)
		if err != nil {
			return err
		}
		if _, err := db.AddStaffUser(ctx, email, hash); errors.Is(err, staff.ErrExists) {
			return fmt.Errorf("a staff account for %s exists already; use reset-password", email)
		} else if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "staff account %s created\n", email)
		return err
	default:
		if err := staff.ResetPassword(ctx, db, email, password); errors.Is(err, staff.ErrNoAccount) {
			return fmt.Errorf("no staff account for %s", email)
		} else if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "password of %s changed; its open sessions are ended\n", email)
		return err
	}
}

// readPassword asks twice without echo on a terminal; from a pipe (a
// script) it reads one line.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password (at least 12 characters): ")
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
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
