// Command seed gives a site's database the content a visitor of a live
// site finds: photos, a published project with three of them and a
// published page, so that the audit (make audit) measures /realisaties and
// a project's page as they will be. It writes through the store, as the
// staff area does, and is for a throwaway database only.
//
//	DATABASE_URL=… go run ./bench/seed [-database conpro_audit]
//
// With -database NAME it first drops and creates that database on the
// cluster of DATABASE_URL and migrates it, and prints its URL on the first
// line. It then prints the addresses of the project and the page.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"math/rand/v2"
	"os"

	"conpro/bench/internal/freshdb"
	"conpro/internal/locale"
	"conpro/internal/media"
	"conpro/internal/page"
	"conpro/internal/project"
	"conpro/internal/staff"
	"conpro/internal/store/postgres"
)

func main() {
	database := flag.String("database", "", "drop, create and migrate this database on DATABASE_URL's cluster, and fill it")
	flag.Parse()
	if err := run(context.Background(), *database); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, database string) error {
	dbURL := os.Getenv("DATABASE_URL")
	if database != "" {
		var err error
		if dbURL, err = freshdb.Create(ctx, dbURL, database); err != nil {
			return err
		}
		fmt.Println(dbURL)
	}
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	who := staff.ServerConsole.Email
	alts := []string{
		"Gerenoveerde gevel in rode baksteen met nieuwe ramen",
		"Nieuwe keuken in eik met een werkblad in natuursteen",
		"Plat dak met nieuwe dakbedekking en lichtkoepels",
	}
	var photos []project.Photo
	for i, alt := range alts {
		u, err := media.Process(photograph(2400, 1600, uint64(i)), alt, 20<<20)
		if err != nil {
			return fmt.Errorf("photo %d: %w", i, err)
		}
		id, err := db.AddPhoto(ctx, u, staff.AuditEntry{StaffEmail: who, Action: staff.ActionUploadPhoto})
		if err != nil {
			return err
		}
		photos = append(photos, project.Photo{Photo: media.Photo{ID: id}, Captions: map[locale.Lang]string{locale.NL: alt + "."}})
	}
	p := project.Project{
		Slug: "renovatie-rijwoning-aalst", Place: "Aalst", Year: 2026, Kind: project.KindRenovation,
		Texts: map[locale.Lang]project.Text{locale.NL: {
			Title: "Renovatie van een rijwoning in Aalst",
			Description: "Een rijwoning uit 1930 kreeg een nieuwe gevel, een nieuwe keuken en een geïsoleerd plat dak.\n\n" +
				"## Wat we deden\n\n- de gevel gereinigd en opnieuw gevoegd\n- nieuwe ramen met driedubbel glas\n- een plat dak met 20 cm isolatie\n",
		}},
		Photos: photos,
	}
	id, err := db.CreateProject(ctx, p, staff.AuditEntry{StaffEmail: who, Action: staff.ActionNewProject})
	if err != nil {
		return err
	}
	if err := db.SetProjectPublished(ctx, id, true, staff.AuditEntry{StaffEmail: who, Action: staff.ActionPublishProject}); err != nil {
		return err
	}
	pageID, err := db.CreatePage(ctx, "over-ons", page.Content{PhotoID: photos[0].ID, Texts: map[string]page.Text{"nl": {
		Title: "Over ons", Intro: "Een bouwbedrijf uit Aalst dat renoveert, verbouwt en nieuw bouwt.",
		Body:        "## Ons werk\n\nWe bouwen en renoveren woningen in de streek van Aalst, van de fundering tot het dak.\n",
		Description: "Construct Professional bouwt en renoveert woningen in de streek van Aalst.",
	}}}, staff.AuditEntry{StaffEmail: who, Action: staff.ActionNewPage})
	if err != nil {
		return err
	}
	if err := db.PublishPage(ctx, pageID, staff.AuditEntry{StaffEmail: who, Action: staff.ActionPublishPage}); err != nil {
		return err
	}
	fmt.Println("/realisaties/" + p.Slug)
	fmt.Println("/over-ons")
	return nil
}

// photograph is a JPEG with the detail of a photo (light that changes
// across it and grain), so that its variants weigh what a real photo's do.
func photograph(w, h int, seed uint64) []byte {
	rnd := rand.New(rand.NewPCG(seed, 7))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			n := rnd.IntN(48)
			img.SetRGBA(x, y, color.RGBA{
				R: uint8(90 + x*100/w + n), G: uint8(70 + y*90/h + n), B: uint8(60 + (x+y)*60/(w+h) + n), A: 255,
			})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return b.Bytes()
}
