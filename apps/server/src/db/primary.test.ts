// The primary's address in a multi-host DATABASE_URL, and which errors mean "no server there".
import { describe, expect, it } from 'vitest'
import { isConnectionError, splitHosts, whereOf } from './primary.js'
import { lsnValue, onlyReads } from './replicas.js'

describe('primary and replicas, without a server', () => {
  it('splits a multi-host URL into one URL per host, keeping credentials, database and parameters', () => {
    expect(splitHosts('postgres://u:p@db1:5432,db2:5433/wangge?sslmode=require')).toEqual([
      'postgres://u:p@db1:5432/wangge?sslmode=require',
      'postgres://u:p@db2:5433/wangge?sslmode=require',
    ])
    expect(splitHosts('postgresql://db/wangge')).toEqual(['postgresql://db/wangge'])
    expect(whereOf('postgres://u:secret@db1:5432/wangge')).toBe('db1:5432')
  })

  it('tells a server that is gone (or no longer the primary) from a bad statement', () => {
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true)
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isConnectionError({ code: '57P01', message: 'terminating connection due to administrator command' })).toBe(true)
    expect(isConnectionError({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' })).toBe(true)
    expect(isConnectionError({ code: '23505', message: 'duplicate key' })).toBe(false)
    expect(isConnectionError({ code: '42601', message: 'syntax error' })).toBe(false)
    expect(isConnectionError(undefined)).toBe(false)
  })

  it('sends only reading statements to a replica and compares WAL positions as numbers', () => {
    expect(onlyReads('select * from "cases" where "id" = $1')).toBe(true)
    expect(onlyReads('with t as (select 1) select * from t')).toBe(true)
    expect(onlyReads('with t as (delete from jobs returning *) select * from t')).toBe(false)
    expect(onlyReads('select * from "jobs" where "state" = $1 for update skip locked')).toBe(false)
    expect(onlyReads('select pg_advisory_xact_lock(1)')).toBe(false)
    expect(onlyReads('select nextval($1)')).toBe(false)
    expect(onlyReads('update "users" set "x" = 1')).toBe(false)
    expect(onlyReads('insert into "users" values (1)')).toBe(false)
    expect(onlyReads('begin')).toBe(false)
    expect(lsnValue('1/0') > lsnValue('0/FFFFFFFF')).toBe(true)
    expect(lsnValue('16/B374D848')).toBe(0x16b374d848n)
  })
})
