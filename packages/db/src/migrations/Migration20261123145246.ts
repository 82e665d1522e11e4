import { Migration } from '@mikro-orm/migrations';

export class Migration20261123145246 extends Migration {

  override name = 'Migration20261123145246';

  override up(): void | Promise<void> {
    this.addSql(`create table "reference_understanding" ("id" uuid not null, "reference_id" uuid not null, "run_id" uuid not null, "strategy" varchar(255) not null, "level" double precision not null, "mastery" boolean not null, "backend" varchar(255) not null, "attempts" jsonb not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "reference_understanding_reference_id_created_at_index" on "reference_understanding" ("reference_id", "created_at");`);

    this.addSql(`alter table "run" drop constraint "run_kind_check";`);
    this.addSql(`alter table "run" add constraint "run_kind_check" check ("kind" in ('GENERATE', 'UNDERSTAND'));`);

    this.addSql(`alter table "reference_understanding" add constraint "reference_understanding_reference_id_foreign" foreign key ("reference_id") references "reference" ("id") on delete cascade;`);
    this.addSql(`alter table "reference_understanding" add constraint "reference_understanding_run_id_foreign" foreign key ("run_id") references "run" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "reference_understanding" cascade;`);

    this.addSql(`alter table "run" drop constraint "run_kind_check";`);
    this.addSql(`alter table "run" add constraint "run_kind_check" check ("kind" in ('GENERATE'));`);
  }

}
