// PostGraphile v5 over the registry's database, for run.sh (the peer benchmark).
// PgIndexBehaviorsPlugin is disabled: with it v5 hides relations backed only by a partial
// index, such as Influencer.sanctions (sanction_influencer is WHERE influencer_id IS NOT NULL).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] })],
  grafserv: { port: Number(process.env.PEER_PORT || 5678), host: "127.0.0.1", graphiql: false },
  grafast: { explain: false },
};
