#include "ota_ring.h"

static uint8_t ring[OTA_RING_BYTES];
static volatile uint32_t head; /* written by the interrupt only */
static volatile uint32_t tail; /* written by the main loop only */

int ota_ring_put(uint8_t byte)
{
    uint32_t h = head;
    if (h - tail == OTA_RING_BYTES) return -1;
    ring[h & (OTA_RING_BYTES - 1u)] = byte;
    head = h + 1u;
    return 0;
}

size_t ota_ring_count(void)
{
    return (size_t)(head - tail);
}

size_t ota_ring_get(uint8_t *buf, size_t max)
{
    uint32_t t = tail;
    size_t n = 0;
    while (n < max && t != head) buf[n++] = ring[t++ & (OTA_RING_BYTES - 1u)];
    tail = t;
    return n;
}
