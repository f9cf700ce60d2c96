// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xglb_notify.c - a stand-in for systemd's NOTIFY_SOCKET: prints each sd_notify datagram on a line.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

/* xglb_notify PATH SECONDS: bind a datagram socket at PATH, print what arrives for SECONDS. */
int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	time_t end;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: xglb_notify PATH SECONDS\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("xglb_notify");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char buf[512];
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n"))
			printf("%s\n", s);
	}
	unlink(argv[1]);
	return 0;
}
