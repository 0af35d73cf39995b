/**
 * A force-directed layout (Fruchterman-Reingold with a cooling schedule) run
 * in the engine process, so the page only draws positions it is given.
 *
 * The result is deterministic: initial positions lie on a spiral in input
 * order, there is no randomness, and the iteration count is fixed.
 */

export interface LayoutEdge {
  source: number;
  target: number;
  /** Relative attraction; heavier edges pull harder. */
  weight: number;
}

export interface LayoutPoint {
  x: number;
  y: number;
}

/** Iterations per layout. */
export const layoutIterations = 120;

/**
 * Above this many nodes, repulsion only acts between nodes closer than twice
 * the ideal distance, found through a grid (the grid variant of
 * Fruchterman and Reingold's 1991 paper). Below it every pair repels, which
 * costs O(nodes^2) per iteration.
 */
export const exactRepulsionMaxNodes = 400;

/** Side of the square the layout fills, in layout units. */
export const layoutSize = 1_000;

/**
 * Lay out `nodeCount` nodes joined by `edges`, starting nodes at their
 * `previous` position where one is given. Returns one point per node,
 * centered on (0, 0) and within `layoutSize` on each axis.
 */
export function layoutForceDirected(
  nodeCount: number,
  edges: readonly LayoutEdge[],
  previous: readonly (LayoutPoint | undefined)[] = [],
): LayoutPoint[] {
  if (nodeCount === 0) return [];
  if (nodeCount === 1) return [{ x: 0, y: 0 }];

  const x = new Float64Array(nodeCount);
  const y = new Float64Array(nodeCount);
  placeOnSpiral(x, y);
  const reused = reusePositions(x, y, previous);

  const idealDistance = layoutSize / Math.sqrt(nodeCount);
  const maxWeight = edges.reduce((max, edge) => Math.max(max, edge.weight), 0) || 1;
  const dx = new Float64Array(nodeCount);
  const dy = new Float64Array(nodeCount);
  // Nodes that keep their last position move less, so the graph does not jump while a capture loads.
  let temperature = reused * 2 > nodeCount ? layoutSize / 40 : layoutSize / 10;
  const cooling = temperature / (layoutIterations + 1);

  for (let iteration = 0; iteration < layoutIterations; iteration += 1) {
    dx.fill(0);
    dy.fill(0);
    if (nodeCount <= exactRepulsionMaxNodes) applyRepulsion(x, y, dx, dy, idealDistance);
    else applyGridRepulsion(x, y, dx, dy, idealDistance);
    applyAttraction(x, y, dx, dy, edges, idealDistance, maxWeight);
    applyGravity(x, y, dx, dy, idealDistance);
    moveNodes(x, y, dx, dy, temperature);
    temperature -= cooling;
  }

  return normalize(x, y);
}

function placeOnSpiral(x: Float64Array, y: Float64Array): void {
  const goldenAngle = Math.PI * (3 - Math.sqrt(5));
  for (let index = 0; index < x.length; index += 1) {
    const radius = (layoutSize / 2) * Math.sqrt((index + 0.5) / x.length);
    x[index] = radius * Math.cos(index * goldenAngle);
    y[index] = radius * Math.sin(index * goldenAngle);
  }
}

/** Copy the previous positions that exist over the spiral; returns how many were copied. */
function reusePositions(x: Float64Array, y: Float64Array, previous: readonly (LayoutPoint | undefined)[]): number {
  let reused = 0;
  for (let index = 0; index < x.length; index += 1) {
    const point = previous[index];
    if (point === undefined) continue;
    x[index] = point.x;
    y[index] = point.y;
    reused += 1;
  }
  return reused;
}

function applyRepulsion(x: Float64Array, y: Float64Array, dx: Float64Array, dy: Float64Array, k: number): void {
  const count = x.length;
  for (let i = 0; i < count; i += 1) {
    for (let j = i + 1; j < count; j += 1) {
      let deltaX = (x[i] as number) - (x[j] as number);
      let deltaY = (y[i] as number) - (y[j] as number);
      let distanceSquared = deltaX * deltaX + deltaY * deltaY;
      if (distanceSquared < 1e-6) {
        // Coincident nodes: push apart along a fixed direction that depends on the pair.
        deltaX = ((i * 7 + j * 3) % 11) - 5 || 1;
        deltaY = ((i * 3 + j * 7) % 13) - 6 || 1;
        distanceSquared = deltaX * deltaX + deltaY * deltaY;
      }
      const force = (k * k) / distanceSquared;
      dx[i] = (dx[i] as number) + deltaX * force;
      dy[i] = (dy[i] as number) + deltaY * force;
      dx[j] = (dx[j] as number) - deltaX * force;
      dy[j] = (dy[j] as number) - deltaY * force;
    }
  }
}

/** Repulsion between nodes within 2k of each other only, found through a grid of cells 2k wide. */
function applyGridRepulsion(x: Float64Array, y: Float64Array, dx: Float64Array, dy: Float64Array, k: number): void {
  const cellSize = 2 * k;
  const cutoffSquared = cellSize * cellSize;
  const cells = new Map<number, number[]>();
  const cellKey = (cellX: number, cellY: number): number => (cellX + 32_768) * 65_536 + (cellY + 32_768);
  const cellOf = (value: number): number => Math.max(-32_768, Math.min(32_767, Math.floor(value / cellSize)));

  for (let index = 0; index < x.length; index += 1) {
    const key = cellKey(cellOf(x[index] as number), cellOf(y[index] as number));
    const members = cells.get(key);
    if (members === undefined) cells.set(key, [index]);
    else members.push(index);
  }

  for (let i = 0; i < x.length; i += 1) {
    const cellX = cellOf(x[i] as number);
    const cellY = cellOf(y[i] as number);
    for (let offsetX = -1; offsetX <= 1; offsetX += 1) {
      for (let offsetY = -1; offsetY <= 1; offsetY += 1) {
        for (const j of cells.get(cellKey(cellX + offsetX, cellY + offsetY)) ?? []) {
          if (j === i) continue;
          let deltaX = (x[i] as number) - (x[j] as number);
          let deltaY = (y[i] as number) - (y[j] as number);
          let distanceSquared = deltaX * deltaX + deltaY * deltaY;
          if (distanceSquared > cutoffSquared) continue;
          if (distanceSquared < 1e-6) {
            deltaX = ((i * 7 + j * 3) % 11) - 5 || 1;
            deltaY = ((i * 3 + j * 7) % 13) - 6 || 1;
            distanceSquared = deltaX * deltaX + deltaY * deltaY;
          }
          const force = (k * k) / distanceSquared;
          dx[i] = (dx[i] as number) + deltaX * force;
          dy[i] = (dy[i] as number) + deltaY * force;
        }
      }
    }
  }
}

function applyAttraction(
  x: Float64Array,
  y: Float64Array,
  dx: Float64Array,
  dy: Float64Array,
  edges: readonly LayoutEdge[],
  k: number,
  maxWeight: number,
): void {
  for (const edge of edges) {
    if (edge.source === edge.target) continue;
    const deltaX = (x[edge.source] as number) - (x[edge.target] as number);
    const deltaY = (y[edge.source] as number) - (y[edge.target] as number);
    const distance = Math.sqrt(deltaX * deltaX + deltaY * deltaY) || 1e-3;
    // Weight on a log scale, so one huge transfer does not collapse its pair onto each other.
    const strength = 0.5 + Math.log1p(edge.weight) / Math.log1p(maxWeight);
    const force = ((distance * distance) / k) * strength;
    const moveX = (deltaX / distance) * force;
    const moveY = (deltaY / distance) * force;
    dx[edge.source] = (dx[edge.source] as number) - moveX;
    dy[edge.source] = (dy[edge.source] as number) - moveY;
    dx[edge.target] = (dx[edge.target] as number) + moveX;
    dy[edge.target] = (dy[edge.target] as number) + moveY;
  }
}

/** A weak pull to the center keeps unconnected components from drifting apart. */
function applyGravity(x: Float64Array, y: Float64Array, dx: Float64Array, dy: Float64Array, k: number): void {
  for (let index = 0; index < x.length; index += 1) {
    const px = x[index] as number;
    const py = y[index] as number;
    const distance = Math.sqrt(px * px + py * py);
    if (distance === 0) continue;
    const force = (distance * distance) / (k * 3);
    dx[index] = (dx[index] as number) - (px / distance) * force;
    dy[index] = (dy[index] as number) - (py / distance) * force;
  }
}

function moveNodes(x: Float64Array, y: Float64Array, dx: Float64Array, dy: Float64Array, temperature: number): void {
  for (let index = 0; index < x.length; index += 1) {
    const moveX = dx[index] as number;
    const moveY = dy[index] as number;
    const length = Math.sqrt(moveX * moveX + moveY * moveY);
    if (length === 0) continue;
    const step = Math.min(length, temperature);
    x[index] = (x[index] as number) + (moveX / length) * step;
    y[index] = (y[index] as number) + (moveY / length) * step;
  }
}

/** Center on (0, 0) and scale the larger side to `layoutSize`; round to 0.1 unit for compact JSON. */
function normalize(x: Float64Array, y: Float64Array): LayoutPoint[] {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let index = 0; index < x.length; index += 1) {
    minX = Math.min(minX, x[index] as number);
    maxX = Math.max(maxX, x[index] as number);
    minY = Math.min(minY, y[index] as number);
    maxY = Math.max(maxY, y[index] as number);
  }
  const scale = layoutSize / (Math.max(maxX - minX, maxY - minY) || 1);
  const centerX = (minX + maxX) / 2;
  const centerY = (minY + maxY) / 2;
  const points: LayoutPoint[] = [];
  for (let index = 0; index < x.length; index += 1) {
    points.push({
      x: Math.round(((x[index] as number) - centerX) * scale * 10) / 10,
      y: Math.round(((y[index] as number) - centerY) * scale * 10) / 10,
    });
  }
  return points;
}
