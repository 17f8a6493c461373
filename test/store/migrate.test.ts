import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { DIALECTS, dropTestDatabases, freshDatabase, POSTGRES_URL } from '../dialects.js';

afterAll(dropTestDatabases);

describe.runIf(DIALECTS.includes('postgres'))('migrating on a PostgreSQL database that others share', () => {
  it('should migrate its own schema while another deployment keeps dropping schemas of its own', async () => {
    const other = new pg.Client({ connectionString: POSTGRES_URL });
    await other.connect();
    let churning = true;
    const churn = (async () => {
      for (let round = 0; churning; round++) {
        const schema = `slotline_churn_${process.pid}_${round}`;
        await other.query(`create schema "${schema}"`);
        await other.query(`create table "${schema}".t (id int)`);
        await other.query(`drop schema "${schema}" cascade`);
      }
    })();
    let opened = 0;
    try {
      for (let round = 0; round < 10; round++) {
        const stores = await Promise.all(
          Array.from({ length: 3 }, () => openStore(freshDatabase('postgres'), DEFAULT_POOL)),
        );
        opened += stores.length;
        await Promise.all(stores.map((store) => store.close()));
      }
    } finally {
      churning = false;
      await churn;
      await other.end();
    }
    expect(opened).toBe(30);
  }, 60_000);
});
