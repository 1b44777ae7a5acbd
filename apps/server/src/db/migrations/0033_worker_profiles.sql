-- Grid workers' profiles (issue 22 §1): where a worker came from — the seed's 六榕街 drew one third
-- of its grid workers from the former rental-housing administrators (出租屋管理员) and two thirds
-- from social workers (社工) — their work phone for residents and the command centre, and when
-- they started. One row per worker, kept by the roster; optional (a worker without one is shown
-- without these facts).
create table worker_profiles (
  user_id bigint primary key references users (id),
  background text not null check (background in ('rental_admin', 'social_worker', 'community_staff', 'other')),
  phone text check (phone ~ '^1[3-9][0-9]{9}$'),
  started_on date,
  updated_by text not null,
  updated_at timestamptz not null default now()
);
