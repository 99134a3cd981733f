/* The benchmark firmware's HAL: the STM32F4 sketch of agent/port/cortex-m is linked instead; this file only holds
 * the C library's low-level hooks (a UART for printf/getchar). */
#include <stdint.h>
#include <sys/stat.h>

#define USART_SR (*(volatile uint32_t *)0x40011000u)
#define USART_DR (*(volatile uint32_t *)0x40011004u)

int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _write(int fd, const char *buf, int len)
{
    int i;
    (void)fd;
    for (i = 0; i < len; i++) {
        while (!(USART_SR & (1u << 7))) {
        }
        USART_DR = (uint8_t)buf[i];
    }
    return len;
}

int _read(int fd, char *buf, int len)
{
    (void)fd;
    if (len <= 0 || !(USART_SR & (1u << 5))) return 0;
    buf[0] = (char)USART_DR;
    return 1;
}
