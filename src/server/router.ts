/**
 * Route matching over the route table: exact paths through a map, `:param` patterns in order.
 * A path that exists with another method is a 405 with `Allow`; anything else is a 404.
 */
import type { HttpMethod, Route } from './types.js';

export type RouteMatch =
  | { kind: 'route'; route: Route; params: Record<string, string> }
  | { kind: 'method'; allowed: HttpMethod[] }
  | { kind: 'none' };

interface Pattern {
  route: Route;
  segments: string[];
}

export interface Router {
  match(method: string, pathname: string): RouteMatch;
}

export function createRouter(routes: readonly Route[]): Router {
  const exact = new Map<string, Map<string, Route>>();
  const patterns: Pattern[] = [];
  for (const route of routes) {
    if (route.path.includes('/:')) {
      patterns.push({ route, segments: route.path.split('/') });
      continue;
    }
    const byMethod = exact.get(route.path) ?? new Map<string, Route>();
    if (byMethod.has(route.method)) throw new Error(`duplicate route ${route.method} ${route.path}`);
    byMethod.set(route.method, route);
    exact.set(route.path, byMethod);
  }

  return {
    match(method, rawPath) {
      const pathname = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
      const byMethod = exact.get(pathname);
      if (byMethod) {
        const route = byMethod.get(method);
        return route
          ? { kind: 'route', route, params: {} }
          : { kind: 'method', allowed: [...byMethod.keys()] as HttpMethod[] };
      }
      const parts = pathname.split('/');
      const allowed: HttpMethod[] = [];
      for (const { route, segments } of patterns) {
        if (segments.length !== parts.length) continue;
        const params: Record<string, string> = {};
        let ok = true;
        for (let i = 0; i < segments.length && ok; i++) {
          const segment = segments[i] as string;
          const part = parts[i] as string;
          if (segment.startsWith(':')) {
            if (part === '') ok = false;
            else params[segment.slice(1)] = part;
          } else ok = segment === part;
        }
        if (!ok) continue;
        if (route.method !== method) {
          allowed.push(route.method);
          continue;
        }
        return { kind: 'route', route, params };
      }
      return allowed.length > 0 ? { kind: 'method', allowed } : { kind: 'none' };
    },
  };
}
