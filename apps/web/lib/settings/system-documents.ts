import { graphql } from '../graphql';

/** Backends, fleet and queues in one round trip, polled while the page is visible. */
export const SystemStatusQuery = graphql(`
  query SystemStatus {
    models {
      name
      available
      circuit
      workers
      updatedAt
      capabilities { txt2img img2img inpainting negativePrompt regionalPrompting maxWidth maxHeight }
      performance { successes failures successRate p50LatencyMs }
    }
    workers {
      id
      host
      pid
      state
      tfjsBackend
      analysisKernel
      jobsInHand
      lastHeartbeatAt
      device { kind name memoryTotalMb memoryUsedMb }
      queues { name concurrency }
    }
    queues {
      name
      paused
      waiting
      prioritized
      active
      delayed
      waitingChildren
      failed
      completed
      workers
    }
  }
`);
