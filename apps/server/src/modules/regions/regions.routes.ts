import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Basemap } from '../../config.js'
import { errorResponses } from '../../http/schemas.js'
import { principalOf } from '../access/index.js'
import {
  geometryQuery,
  regionCodeParam,
  regionDetail,
  regionFeature,
  regionFeatureCollection,
  searchQuery,
  searchResult,
} from './regions.schemas.js'
import type { RegionsService } from './regions.service.js'

export const regionsRoutes =
  (regions: RegionsService, basemap?: Basemap): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/map/basemap',
      {
        schema: {
          tags: ['regions'],
          summary: 'The basemap the maps draw under the platform’s layers (null: none, the default — it runs offline)',
          response: {
            200: z
              .object({ url: z.string(), kind: z.enum(['raster', 'style']), attribution: z.string() })
              .nullable()
              .describe('`raster`: an XYZ tile template ({z}/{x}/{y}); `style`: a MapLibre style URL'),
            ...errorResponses,
          },
        },
      },
      (req) => {
        principalOf(req).require('region.read')
        return basemap ?? null
      },
    )

    app.get(
      '/regions',
      {
        schema: {
          tags: ['regions'],
          summary: 'Search regions by name, pinyin, initials or code',
          querystring: searchQuery,
          response: { 200: searchResult, ...errorResponses },
        },
      },
      (req) => {
        principalOf(req).require('region.read')
        return regions.search(req.query)
      },
    )

    app.get(
      '/regions/:code',
      {
        schema: {
          tags: ['regions'],
          summary: 'A region with its parents, children and descendant counts',
          params: regionCodeParam,
          response: { 200: regionDetail, ...errorResponses },
        },
      },
      (req) => {
        principalOf(req).require('region.read')
        return regions.get(req.params.code)
      },
    )

    app.get(
      '/regions/:code/geometry',
      {
        schema: {
          tags: ['regions'],
          summary: 'GeoJSON boundary of a region (?children=1: its children as a FeatureCollection)',
          params: regionCodeParam,
          querystring: geometryQuery,
          response: { 200: regionFeature.or(regionFeatureCollection), ...errorResponses },
        },
      },
      (req) => {
        principalOf(req).require('region.read')
        return req.query.children ? regions.childGeometries(req.params.code) : regions.geometry(req.params.code)
      },
    )
  }
