import { CODE_TABLES, COMPONENT_CLASSES } from '@wangge/domain'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { principalOf } from '../access/index.js'

export const codesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/codes',
    {
      schema: { tags: ['codes'], summary: 'All code tables (sex, ethnicity, population type, care tags, component classes, …)' },
    },
    (req) => {
      principalOf(req).require('region.read')
      return { ...CODE_TABLES, componentClasses: COMPONENT_CLASSES }
    },
  )
}
