-- One consent choice, as the server records it, into bench_consent (a copy
-- of consent_event's columns, checks and indexes, without the foreign key
-- and triggers). pgbench runs it as one transaction per click.
INSERT INTO bench_consent (event_id, consent_id, chosen_at, policy_version, action,
    categories, vendors, banner_version, locale, path, gpc, client_network, user_agent, seal)
VALUES (gen_random_uuid(), substr(md5(random()::text), 1, 22), now(), 2, 'save',
    '{analytics}', '{google-analytics}', 'banner-nl-3f2a9c1d0e4b', 'nl', '/', false, '203.0.113.0/24',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    sha256(random()::text::bytea));
